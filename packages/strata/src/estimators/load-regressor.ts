import { existsSync } from "node:fs";
import { join } from "node:path";
import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { describeJson, readJsonFile } from "../util/files.js";
import { FORMAT_VERSION, MANIFEST, type Manifest } from "./estimator.js";
import type { Regressor } from "./regressor.js";
import { RidgeRegressor } from "./ridge.js";
import { XGBoostRegressor } from "./xgboost-regressor.js";

/** Reads a regressor of one kind from its directory (the manifest already checked). */
export type RegressorReader = (dir: string, manifest: Manifest) => Promise<Regressor<TableData>>;

/**
 * The regressor kinds this strata loads, kind → reader. Not yet in estimators/kinds.ts (the
 * CLI's kinds are classifiers): each regressor class adds its `read` here.
 */
export const REGRESSOR_READERS: Readonly<Record<string, RegressorReader>> = {
  ridge: (dir, manifest) => RidgeRegressor.read(dir, manifest),
  "xgboost-regressor": (dir, manifest) => XGBoostRegressor.read(dir, manifest),
};

/**
 * Loads a regressor from a directory written by its `save`: strata.json's kind picks the class,
 * which reads its own files. A classifier's directory, an unknown kind or a damaged manifest is a
 * StrataError naming the directory.
 */
export async function loadRegressor(dir: string): Promise<Regressor<TableData>> {
  const manifest = await readRegressorManifest(dir);
  const read = REGRESSOR_READERS[manifest.kind];
  if (!read)
    throw new StrataError(
      `${dir}: unknown regressor kind "${manifest.kind}" in ${MANIFEST}; this strata reads: ${Object.keys(REGRESSOR_READERS).join(", ")}`,
    );
  return read(dir, manifest);
}

/**
 * Reads and checks a regressor directory's strata.json: the format, kind and params, `task:
 * "regression"`, and every listed file present. (manifest.ts's readManifest checks a classifier's:
 * it requires two classes or more.)
 */
export async function readRegressorManifest(dir: string): Promise<Manifest> {
  if (!existsSync(dir)) throw new StrataError(`${dir}: model directory not found`);
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new StrataError(`${dir}: not a strata model directory (no ${MANIFEST})`);
  const manifest = (await readJsonFile(path, { object: true })) as Manifest & { readonly task?: unknown };
  if (typeof manifest.format !== "number" || typeof manifest.kind !== "string")
    throw new StrataError(`${path}: lacks "format" or "kind"`);
  if (manifest.format > FORMAT_VERSION)
    throw new StrataError(
      `${dir}: written by a newer strata (model format ${manifest.format}); this strata reads format ${FORMAT_VERSION} and older: upgrade strata`,
    );
  if (manifest.task !== "regression")
    throw new StrataError(
      manifest.task === undefined
        ? `${dir}: holds a classifier (${manifest.kind}), not a regressor; load it with loadClassifier`
        : `${path}: damaged: "task" is ${describeJson(manifest.task)}, not "regression"`,
    );
  if (manifest.input !== "table")
    throw new StrataError(`${path}: damaged: "input" is ${describeJson(manifest.input)}, not "table"`);
  const params: unknown = manifest.params;
  if (typeof params !== "object" || params === null || Array.isArray(params))
    throw new StrataError(`${path}: damaged: "params" is ${describeJson(params)}, not an object`);
  const files: unknown = manifest.files;
  if (!Array.isArray(files) || !files.every((f) => typeof f === "string"))
    throw new StrataError(`${path}: damaged: "files" is ${describeJson(files)}, not a list of file names`);
  const missing = (files as string[]).filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0)
    throw new StrataError(`${dir}: incomplete model directory, missing ${missing.join(", ")}`);
  return manifest;
}
