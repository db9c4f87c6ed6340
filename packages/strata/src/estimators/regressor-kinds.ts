import { join } from "node:path";
import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import type { Params } from "../util/params.js";
import { DenseRegressor, type DenseRegressorParams } from "./dense-regressor.js";
import { MANIFEST, type Manifest } from "./estimator.js";
import { readManifest } from "./manifest.js";
import type { Regressor } from "./regressor.js";
import { RidgeRegressor, type RidgeRegressorParams } from "./ridge.js";
import { XGBoostRegressor, type XGBoostRegressorParams } from "./xgboost-regressor.js";

/*
 * The regressor kinds an ensemble of regressors takes as members: kind → how to make one from
 * its params and how to read a saved one. Ensembles are not members (no ensembles of ensembles):
 * this list knows only the single models, so the ensembles can import it.
 */

/** How one kind of regressor is made and read. */
export interface RegressorKind {
  /** An unfitted regressor with these params (unknown or bad ones refused by its schema). */
  readonly create: (params: Params) => Regressor<TableData>;
  /** A saved one, from its directory and checked manifest. */
  readonly read: (dir: string, manifest: Manifest) => Promise<Regressor<TableData>>;
}

/** The single-model regressor kinds, by strata.json's kind. */
export const REGRESSOR_KINDS: Readonly<Record<string, RegressorKind>> = {
  ridge: {
    create: (params) => new RidgeRegressor(params as Partial<RidgeRegressorParams>),
    read: (dir, manifest) => RidgeRegressor.read(dir, manifest),
  },
  "xgboost-regressor": {
    create: (params) => new XGBoostRegressor(params as Partial<XGBoostRegressorParams>),
    read: (dir, manifest) => XGBoostRegressor.read(dir, manifest),
  },
  "dense-regressor": {
    create: (params) => new DenseRegressor(params as Partial<DenseRegressorParams>),
    read: (dir, manifest) => DenseRegressor.read(dir, manifest),
  },
};

/** The kind's entry, or a StrataError (starting with `what`) listing the kinds. */
export function regressorKind(kind: string, what: string): RegressorKind {
  const entry = Object.hasOwn(REGRESSOR_KINDS, kind) ? REGRESSOR_KINDS[kind] : undefined;
  if (!entry)
    throw new StrataError(
      `${what}: unknown regressor kind "${kind}"; the kinds are: ${Object.keys(REGRESSOR_KINDS).join(", ")}`,
    );
  return entry;
}

/** An unfitted regressor of a kind; a bad kind or param is a StrataError starting with `what`. */
export function createRegressor(kind: string, params: Params, what: string): Regressor<TableData> {
  const entry = regressorKind(kind, what);
  try {
    return entry.create(params);
  } catch (e) {
    if (e instanceof StrataError) throw new StrataError(`${what}: ${e.message}`, { params: e.params });
    throw e;
  }
}

/**
 * Reads a single-model regressor's directory (a member of an ensemble): strata.json checked by
 * manifest.ts, a regressor of a table, and one of REGRESSOR_KINDS.
 */
export async function readRegressor(dir: string): Promise<Regressor<TableData>> {
  const manifest = await readManifest(dir);
  if (manifest.task !== "regression")
    throw new StrataError(`${dir}: holds a classifier (${manifest.kind}), not a regressor`);
  if (manifest.input !== "table")
    throw new StrataError(`${join(dir, MANIFEST)}: damaged: "input" is not "table"`);
  return regressorKind(manifest.kind, dir).read(dir, manifest);
}
