import type { TrainListener } from "../train/listener.js";
import type { Matrix } from "../util/matrix.js";

/** Hyperparameters: plain JSON values only, so they can be saved, printed and cloned. */
export type Params = { readonly [name: string]: ParamValue };
export type ParamValue = string | number | boolean | null | readonly ParamValue[] | Params;

export interface FitOptions {
  /**
   * The class names, in the order predictProba's columns will have. Give it when several fits
   * must agree (cross-validation folds, ensemble members); by default the sorted labels of `y`.
   */
  readonly classes?: readonly string[];
  /** The group of each row: rows of one group never straddle the internal validation split. */
  readonly groups?: readonly string[];
  /** Receives epoch and batch progress. */
  readonly listener?: TrainListener;
}

/** What a fit did, for reports: epochs actually run, the epoch kept, seconds. */
export interface FitSummary {
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly seconds: number;
  /** Per-epoch losses and accuracies, training and validation. */
  readonly history?: readonly EpochRecord[];
}

/** One epoch of a fit's history. */
export interface EpochRecord {
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
}

/**
 * The contract every strata classifier keeps, in the spirit of scikit-learn's estimators:
 *
 * - Hyperparameters are given to the constructor and only there; `getParams()` returns them and
 *   `clone()` makes an unfitted estimator with the same ones. Fitted state is separate and is
 *   what `fit` creates, so cross-validation and stacking can clone a template and fit each copy.
 * - `fit` learns everything from its arguments alone (preprocessing included), and is seeded:
 *   the same data and params give the same model.
 * - `predictProba` returns shape [rows, classes.length], columns in `classes` order, rows summing to 1.
 * - `save(dir)` writes a self-contained directory atomically; `loadClassifier(dir)` reads it back
 *   into an estimator whose predictions are the same.
 *
 * `X` is the input type: a `Frame` for tabular estimators.
 */
export interface Classifier<X> {
  /** The estimator's type, as stored in strata.json (e.g. "dense"). */
  readonly kind: string;
  /** The class names, in predictProba's column order. Throws before fit. */
  readonly classes: readonly string[];
  /** Set after fit. */
  readonly fitSummary?: FitSummary;
  fit(x: X, y: readonly string[], options?: FitOptions): Promise<this>;
  /** Shape [rows, classes.length]. */
  predictProba(x: X): Promise<Matrix>;
  /** The most probable class of each row. */
  predict(x: X): Promise<string[]>;
  getParams(): Params;
  /** An unfitted copy with the same hyperparameters. */
  clone(): Classifier<X>;
  /** Writes the fitted estimator to `dir` atomically (replacing it). */
  save(dir: string): Promise<void>;
  /** Writes the fitted estimator's files into an existing empty directory (used by save and by ensembles). */
  writeFiles(dir: string): Promise<void>;
  /** Frees the estimator's tensors. */
  dispose(): void;
}

/** The model-directory format this strata writes and the newest it reads. */
export const FORMAT_VERSION = 1;
export const MANIFEST = "strata.json";

/** strata.json: what kind of estimator a directory holds, with its params and classes. */
export interface Manifest {
  readonly format: number;
  readonly kind: string;
  readonly strataVersion: string;
  readonly params: Params;
  readonly classes: readonly string[];
  readonly fitSummary?: FitSummary;
  readonly files: readonly string[];
}
