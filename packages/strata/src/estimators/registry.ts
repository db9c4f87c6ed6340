import { existsSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { describeJson, readJsonFile } from "../util/files.js";
import type { Params } from "../util/params.js";
import {
  type AnyClassifier,
  type EstimatorSpec,
  FORMAT_VERSION,
  type InputKind,
  MANIFEST,
  type Manifest,
} from "./estimator.js";
import { labelTypeProblem } from "./label-values.js";

/** How to make and read one kind of estimator. Every kind is listed once, in kinds.ts. */
export interface EstimatorKind {
  /** As stored in strata.json. */
  readonly kind: string;
  readonly input: InputKind;
  /** One line for listings and error messages. */
  readonly description: string;
  /** An unfitted estimator with these hyperparameters (unknown or bad ones are refused by name). */
  create(params: Params): AnyClassifier;
  /** Reads a directory written by the estimator's writeFiles; the manifest has been checked. */
  read(dir: string, manifest: Manifest): Promise<AnyClassifier>;
}

const kinds = new Map<string, EstimatorKind>();

/** Adds a kind (kinds.ts does this for every built-in estimator). */
export function registerEstimator(kind: EstimatorKind): void {
  kinds.set(kind.kind, kind);
}

/**
 * The registered kinds. Lookups import kinds.ts first, lazily, so that composite estimators
 * (which look up their members' kinds) and the estimators they list do not import each other.
 */
export async function estimatorKinds(): Promise<EstimatorKind[]> {
  await import("./kinds.js");
  return [...kinds.values()];
}

export async function estimatorKind(name: string): Promise<EstimatorKind> {
  await import("./kinds.js");
  const kind = kinds.get(name);
  if (!kind)
    throw new StrataError(`unknown estimator kind "${name}"; the kinds are: ${[...kinds.keys()].join(", ")}`);
  return kind;
}

/**
 * A kind looked up synchronously, for composite estimators that create their members in their
 * constructor (their modules import kinds.ts, so every built-in kind is registered by then).
 */
export function registeredKind(name: string): EstimatorKind | undefined {
  return kinds.get(name);
}

/** The names of the registered kinds (for messages listing them). */
export function registeredKindNames(): string[] {
  return [...kinds.keys()];
}

/** An unfitted estimator from its description (e.g. an ensemble member). */
export async function createEstimator(spec: EstimatorSpec): Promise<AnyClassifier> {
  return (await estimatorKind(spec.kind)).create(spec.params);
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
  if (list.length < 2)
    bad(
      `"classes" lists ${list.length} class${list.length === 1 ? "" : "es"}; a classifier has at least two`,
    );
  if (new Set(list).size !== list.length) bad(`"classes" lists a class twice`);
  const labels = labelTypeProblem(m.labelType, list);
  if (labels !== undefined) bad(labels);
  if (m.files !== undefined && !(Array.isArray(m.files) && m.files.every((f) => typeof f === "string")))
    bad(`"files" is ${describeJson(m.files)}, not a list of file names`);
}

/** The kind of estimator a model directory holds (its manifest checked), without loading it. */
export async function modelDirKind(dir: string): Promise<{ manifest: Manifest; kind: EstimatorKind }> {
  const manifest = await readManifest(dir);
  await import("./kinds.js");
  const kind = kinds.get(manifest.kind);
  if (!kind)
    throw new StrataError(
      `${dir}: unknown model kind "${manifest.kind}" in ${MANIFEST}; this strata reads: ${[...kinds.keys()].join(", ")}`,
    );
  return { manifest, kind };
}
