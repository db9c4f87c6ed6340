import type { Frame } from "../data/frame.js";
import type { TableData } from "../data/plain.js";
import type { TrainListener } from "../train/listener.js";
import type { Matrix } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import type { Label, LabelType } from "./label-values.js";
import type { ImageData } from "./pixel-buffers.js";

export type { Cell, ColumnSpec, NumberRow, ObjectRow, TableData } from "../data/plain.js";
export type { Params, ParamValue } from "../util/params.js";
export type { Label, LabelType } from "./label-values.js";
export type { ImageData, PixelBuffer } from "./pixel-buffers.js";

/** What an estimator takes as X: a table (a `Frame` or plain rows) or images (a list of image files). */
export type InputKind = "table" | "images";
/** X of a table estimator inside strata (plain rows are made a Frame where they come in). */
export type TableInput = Frame;
/** X of an image estimator: image file paths. */
export type ImageInput = readonly string[];
/** The X type of an input kind. */
export type InputOf<K extends InputKind> = K extends "table" ? TableInput : ImageInput;

/**
 * An estimator described as data: its kind and hyperparameters. What an ensemble stores for
 * each member, and what `createEstimator` turns back into an unfitted estimator. A type rather
 * than an interface, so that a spec is itself a Params value (an ensemble's members are params).
 */
export type EstimatorSpec = {
  readonly kind: string;
  readonly params: Params;
  /**
   * What an ensemble calls the member (e.g. the `--members` preset "dense:small"); by default
   * its kind. Repeats of one name get "#2", "#3", ….
   */
  readonly name?: string;
};

export interface FitOptions {
  /**
   * The classes, in the order predictProba's columns will have. Give it when several fits must
   * agree (cross-validation folds, ensemble members); by default the sorted labels of `y`
   * (numbers in numeric order, false before true).
   */
  readonly classes?: readonly Label[];
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
  /** For fits in phases (transfer learning: features, head, fine-tuning): what each took. */
  readonly phases?: readonly { readonly name: string; readonly seconds: number; readonly cached?: number }[];
  /** For a network fit with `learningRate: "auto"`: the rate its learning-rate sweep chose, and the rule. */
  readonly learningRate?: {
    readonly chosen: number;
    readonly rule: string;
    /** The sweep's curve: (rate, smoothed loss) after each step, for the report's chart. */
    readonly points?: readonly { readonly lr: number; readonly loss: number }[];
  };
  /** For composite estimators (ensembles): each member's own summary. */
  readonly members?: readonly { readonly name: string; readonly summary: FitSummary }[];
  /**
   * For a model chosen by cross-validation ("auto"): each candidate's CV accuracy (mean and std
   * over the folds) and fit seconds, the chosen one marked.
   */
  readonly leaderboardMetric?: "accuracy" | "rmse";
  readonly leaderboard?: readonly {
    readonly name: string;
    readonly mean: number;
    readonly std: number;
    readonly seconds: number;
    readonly chosen: boolean;
  }[];
}

/** One epoch of a fit's history. */
export interface EpochRecord {
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
}

/** Probabilities for the inputs that could be read; the others are listed with the reason. */
export interface ReadablePrediction {
  /** Shape [kept.length, classes]. */
  readonly proba: Matrix;
  /** Indices into the input of the rows of `proba`, ascending. */
  readonly kept: readonly number[];
  readonly skipped: readonly { readonly input: string; readonly reason: string }[];
}

/**
 * The contract every strata classifier keeps, in the spirit of scikit-learn's estimators:
 *
 * - Hyperparameters are given to the constructor and only there; `getParams()` returns them and
 *   `clone()` makes an unfitted estimator with the same ones. Fitted state is separate and is
 *   what `fit` creates, so cross-validation and stacking can clone a template and fit each copy.
 *   Settings of the machine rather than of the model (cache folders, memory budgets) are fit or
 *   predict options, never params, so a saved model carries none of them.
 * - `fit` learns everything from its arguments alone (preprocessing included), and is seeded:
 *   the same data and params give the same model.
 * - `predictProba` returns shape [rows, classes.length], columns in `classes` order, rows summing to 1.
 * - `save(dir)` writes a self-contained directory atomically; `loadClassifier(dir)` reads it back
 *   into an estimator whose predictions are the same.
 *
 * `X` is the input type: a `Frame` or plain rows (`number[][]`, objects) for table estimators,
 * image files for image estimators. `L` is the labels' type: strings, numbers or booleans, as
 * `fit` got them; `predict` gives labels of that type back (after `save` and load too).
 */
export interface Classifier<X = unknown, L extends Label = Label> {
  /** The estimator's type, as registered and stored in strata.json (e.g. "dense"). */
  readonly kind: string;
  /** What X is. */
  readonly input: InputKind;
  /** The class names (labels as text), in predictProba's column order. Throws before fit. */
  readonly classes: readonly string[];
  /** The classes as labels of the type fit got (numbers for numeric labels), in the same order. Throws before fit. */
  readonly classLabels: readonly L[];
  /** The type fit's labels had. Throws before fit. */
  readonly labelType: LabelType;
  /** Set after fit. */
  readonly fitSummary?: FitSummary;
  /**
   * Learns from X and labels y; resolves to the classifier itself (an implementation declares
   * `Promise<this>`: not said here, so that an ensemble, whose input is known only once its
   * members are, is one of AnyClassifier's members).
   */
  fit(x: X, y: readonly L[], options?: FitOptions): Promise<Classifier<X, L>>;
  /** Shape [rows, classes.length]. */
  predictProba(x: X): Promise<Matrix>;
  /** The most probable class of each row, as a label of the type fit got. */
  predict(x: X): Promise<L[]>;
  /**
   * Like predictProba, but inputs that cannot be read (an unreadable image) are left out and
   * listed instead of failing the call. Estimators whose inputs are always readable omit it.
   */
  predictReadable?(x: X): Promise<ReadablePrediction>;
  getParams(): Params;
  /** An unfitted copy with the same hyperparameters. */
  clone(): Classifier<X, L>;
  /** Writes the fitted estimator to `dir` atomically (replacing it). */
  save(dir: string): Promise<void>;
  /** Writes the fitted estimator's files into an existing empty directory (used by save and by ensembles). */
  writeFiles(dir: string): Promise<void>;
  /** Frees the estimator's tensors. */
  dispose(): void;
}

/**
 * A table classifier or an image classifier, told apart by `input` (what loading a directory
 * gives). An ensemble is one as it is: its `input` is "table" or "images" as its members take,
 * and it takes both kinds of X, so it fits either branch.
 */
export type AnyClassifier =
  | (Classifier<TableData> & { readonly input: "table" })
  | (Classifier<ImageData> & { readonly input: "images" });

/** sklearn's `clone`: an unfitted estimator with the same hyperparameters. */
export function clone<C extends Classifier>(estimator: C): C {
  return estimator.clone() as C;
}

/** The model-directory format this strata writes and the newest it reads. */
export const FORMAT_VERSION = 1;
export const MANIFEST = "strata.json";

/** strata.json: what kind of estimator a directory holds, with its params and classes. */
export interface Manifest {
  readonly format: number;
  readonly kind: string;
  /** Absent in directories written before strata 0.2: taken from the kind. */
  readonly input?: InputKind;
  readonly strataVersion: string;
  readonly params: Params;
  readonly classes: readonly string[];
  /** The type of the labels fit got; absent: strings (as before strata 0.2). */
  readonly labelType?: LabelType;
  /** "regression" for a regressor (estimators/regressor.ts: no classes); absent: a classifier. */
  readonly task?: "regression";
  readonly fitSummary?: FitSummary;
  readonly files: readonly string[];
}
