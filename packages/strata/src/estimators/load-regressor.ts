import { join } from "node:path";
import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { describeJson } from "../util/files.js";
import { DenseRegressor } from "./dense-regressor.js";
import { MANIFEST, type Manifest } from "./estimator.js";
import { readManifest } from "./manifest.js";
import type { Regressor } from "./regressor.js";
import { RidgeRegressor } from "./ridge.js";
import { StackingRegressor } from "./stacking-regressor.js";
import { VotingRegressor } from "./voting-regressor.js";
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
  "dense-regressor": (dir, manifest) => DenseRegressor.read(dir, manifest),
  "vote-regressor": (dir, manifest) => VotingRegressor.read(dir, manifest),
  "stack-regressor": (dir, manifest) => StackingRegressor.read(dir, manifest),
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
 * Reads and checks a regressor directory's strata.json (manifest.ts's checks: format, kind,
 * params, no classes, every listed file present), and that it holds a table regressor.
 */
export async function readRegressorManifest(dir: string): Promise<Manifest> {
  const manifest = await readManifest(dir);
  if (manifest.task !== "regression")
    throw new StrataError(
      `${dir}: holds a classifier (${manifest.kind}), not a regressor; load it with loadClassifier`,
    );
  if (manifest.input !== "table")
    throw new StrataError(
      `${join(dir, MANIFEST)}: damaged: "input" is ${describeJson(manifest.input)}, not "table"`,
    );
  return manifest;
}
