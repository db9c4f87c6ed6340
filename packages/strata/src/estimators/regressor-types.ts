import type { TableData } from "../data/plain.js";
import type { Params } from "../util/params.js";
import type { FitSummary, InputKind } from "./estimator.js";
import type { ImageData } from "./pixel-buffers.js";

/*
 * What a regressor is, as types only (regressor.ts re-exports them beside RegressorBase): the
 * kinds' descriptors (descriptor.ts) name them without importing what writes a manifest.
 */

/** What fit takes besides X and y. */
export interface RegressorFitOptions {
  /** The group of each row: rows of one group never straddle the internal validation split. */
  readonly groups?: readonly string[];
}

/**
 * A model that predicts a number per row (a song's popularity, a wine's quality score).
 * `fit` refuses a y that is not all finite numbers, naming the first bad row.
 */
export interface Regressor<X = unknown> {
  /** The estimator's type, as stored in strata.json (e.g. "ridge"). */
  readonly kind: string;
  readonly input: InputKind;
  readonly task: "regression";
  /** Set after fit. */
  readonly fitSummary?: FitSummary;
  fit(x: X, y: readonly number[], options?: RegressorFitOptions): Promise<Regressor<X>>;
  /** One prediction per row, in the target's units. */
  predict(x: X): Promise<Float64Array>;
  getParams(): Params;
  /** An unfitted copy with the same hyperparameters. */
  clone(): Regressor<X>;
  /** Writes the fitted model to `dir` atomically (replacing it). */
  save(dir: string): Promise<void>;
  /** Writes the fitted model's files into an existing empty directory. */
  writeFiles(dir: string): Promise<void>;
  /** Frees what the fit holds. */
  dispose(): void;
}

/** A regressor of either input kind, told apart by `input` (AnyClassifier's twin). */
export type AnyRegressor =
  | (Regressor<TableData> & { readonly input: "table" })
  | (Regressor<ImageData> & { readonly input: "images" });
