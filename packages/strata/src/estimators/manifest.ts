import { existsSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { writeJson } from "../util/atomic.js";
import { describeJson, readJsonFile } from "../util/files.js";
import type { Params } from "../util/params.js";
import { VERSION } from "../version.js";
import type { KindDescriptor, KindResolver } from "./descriptor.js";
import { type FitSummary, FORMAT_VERSION, type InputKind, MANIFEST, type Manifest } from "./estimator.js";
import { type LabelType, labelTypeProblem } from "./label-values.js";
import { upgradeImageSpec } from "./legacy-image-kind.js";
import { checkSavedParams } from "./param-check.js";

/*
 * A model directory's strata.json: written by every kind (writeManifest), read and checked
 * before any kind reads its own files (readManifest, modelDirKind).
 */

/** What a model directory's strata.json says, less what every directory has in common. */
export interface ManifestFields {
  readonly kind: string;
  readonly input: InputKind;
  readonly params: Params;
  readonly classes: readonly string[];
  /** The type of the labels fit got (only numbers and booleans are recorded; strings are the default). */
  readonly labelType: LabelType;
  /** "regression" for a regressor (no classes); absent for a classifier. */
  readonly task?: "regression";
  readonly fitSummary?: FitSummary;
  /** The directory's other files (strata.json itself is added). */
  readonly files: readonly string[];
}

/** Writes `dir/strata.json` for an estimator's directory (format and strata version filled in). */
export async function writeManifest(dir: string, fields: ManifestFields): Promise<void> {
  const manifest: Manifest = {
    format: FORMAT_VERSION,
    kind: fields.kind,
    input: fields.input,
    strataVersion: VERSION,
    params: fields.params,
    classes: fields.classes,
    ...(fields.labelType === "string" ? {} : { labelType: fields.labelType }),
    ...(fields.task ? { task: fields.task } : {}),
    fitSummary: fields.fitSummary,
    files: [MANIFEST, ...fields.files],
  };
  await writeJson(join(dir, MANIFEST), manifest);
}

/** Reads and checks a model directory's strata.json. */
export async function readManifest(dir: string): Promise<Manifest> {
  if (!existsSync(dir)) throw new StrataError(`${dir}: model directory not found`);
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new StrataError(`${dir}: not a strata model directory (no ${MANIFEST})`);
  const manifest = (await readJsonFile(path, { object: true })) as Manifest;
  if (typeof manifest.format !== "number" || typeof manifest.kind !== "string") {
    throw new StrataError(`${path}: lacks "format" or "kind"`);
  }
  if (manifest.format > FORMAT_VERSION) {
    throw new StrataError(
      `${dir}: written by a newer strata (model format ${manifest.format}${manifest.strataVersion ? `, strata ${manifest.strataVersion}` : ""}); this strata reads format ${FORMAT_VERSION} and older: upgrade strata`,
    );
  }
  checkManifestFields(manifest, path);
  const missing = (manifest.files ?? []).filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0)
    throw new StrataError(`${dir}: incomplete model directory, missing ${missing.join(", ")}`);
  return manifest;
}

/** The fields every kind reads from strata.json, of the right types (a StrataError names the first bad one). */
function checkManifestFields(m: Manifest, path: string): void {
  const bad = (what: string): never => {
    throw new StrataError(`${path}: damaged: ${what}`);
  };
  if (m.input !== undefined && m.input !== "table" && m.input !== "images")
    bad(`"input" is ${describeJson(m.input)}, not "table" or "images"`);
  if (typeof m.params !== "object" || m.params === null || Array.isArray(m.params))
    bad(`"params" is ${describeJson(m.params)}, not an object`);
  const classes: unknown = m.classes;
  if (!Array.isArray(classes) || !classes.every((c) => typeof c === "string"))
    bad(`"classes" is ${describeJson(classes)}, not a list of class names`);
  const list = classes as string[];
  if (m.task !== undefined && m.task !== "regression")
    bad(`"task" is ${describeJson(m.task)}, not "regression"`);
  if (m.task === "regression") {
    if (list.length > 0) bad(`"classes" lists classes, but the model is a regressor`);
  } else if (list.length < 2)
    bad(
      `"classes" lists ${list.length} class${list.length === 1 ? "" : "es"}; a classifier has at least two`,
    );
  if (new Set(list).size !== list.length) bad(`"classes" lists a class twice`);
  const labels = labelTypeProblem(m.labelType, list);
  if (labels !== undefined) bad(labels);
  if (m.files !== undefined && !(Array.isArray(m.files) && m.files.every((f) => typeof f === "string")))
    bad(`"files" is ${describeJson(m.files)}, not a list of file names`);
}

/**
 * The kind of model a directory holds (its manifest checked, and a kind earlier strata saved
 * under another name upgraded: "image" is "cnn" or "image-dense"), without loading it.
 */
export async function modelDirKind(
  dir: string,
  kinds: KindResolver,
): Promise<{ manifest: Manifest; kind: KindDescriptor }> {
  const read = await readManifest(dir);
  if (read.task === "regression")
    throw new StrataError(
      `${dir}: holds a regressor (it predicts numbers, not classes): load it with loadRegressor`,
    );
  const manifest = checkSavedParams(dir, () => upgradeImageSpec(read));
  if (!kinds.names().includes(manifest.kind))
    throw new StrataError(
      `${dir}: unknown model kind "${manifest.kind}" in ${MANIFEST}; this strata reads: ${kinds.names().join(", ")}`,
    );
  return { manifest, kind: kinds.kind(manifest.kind) };
}
