import type { Task } from "../data/tabular.js";
import type { EpochRecord, FitSummary, Params } from "../estimators/estimator.js";
import type { ImportanceResult } from "../explain/types.js";
import type { MetricsJson } from "../workflow/results.js";
import type { SplitRecord } from "../workflow/run-record.js";

/**
 * Everything a report shows, as plain data: `renderReport` turns it into one HTML page and does
 * no I/O. Built from a run's record (build.ts), or by hand.
 */
export type ReportInput = ReportFrame<DatasetSummary, RunReport, FoldFigures>;

/** What every report's input holds around its dataset, runs and folds (a classifier's or a regressor's). */
export interface ReportFrame<Dataset, Run, Fold> {
  readonly title: string;
  /** The command that ran: one fit, a cross-validation, or several models on one split. */
  readonly command: "fit" | "cv" | "compare";
  /** When the run ended (ISO 8601), shown in the header; left out when absent. */
  readonly generatedAt?: string;
  readonly dataset: Dataset;
  /** One per model: a fit has one, compare one per model, cv one (its pooled out-of-fold result). */
  readonly runs: readonly Run[];
  /** Cross-validation only: each fold's figures. */
  readonly folds?: readonly Fold[];
  readonly backend: string;
  readonly timings: readonly Timing[];
}

/** What a report says of its data, whatever the task. */
export interface DatasetBase {
  /** The CSV file or image folder, as given on the command line. */
  readonly source: string;
  readonly kind: "table" | "images";
  /** Examples used (after duplicates and rows without a target were left out). */
  readonly rows: number;
  readonly target?: string;
  /** How examples were split, in words, plus the run's record of it. */
  readonly split: { readonly text: string; readonly details?: SplitRecord };
  readonly group?: string;
  /** Feature columns used (tables). */
  readonly features?: readonly string[];
  /** Columns left out, and why (tables). */
  readonly dropped?: readonly { readonly name: string; readonly reason: string }[];
  readonly notes?: readonly string[];
}

export interface DatasetSummary extends DatasetBase {
  readonly task: Task;
  readonly classes: readonly ClassCount[];
}

/** How many examples of a class each part holds (`train`/`test` absent for cross-validation). */
export interface ClassCount {
  readonly label: string;
  readonly total: number;
  readonly train?: number;
  readonly test?: number;
}

/** One model's result. */
export interface RunReport {
  readonly name: string;
  /** What the metrics were computed on, in words ("the test split: 154 rows"). */
  readonly evaluatedOn: string;
  readonly metrics: MetricsJson;
  /** Learning curves: one series for a fit, one per fold or ensemble member. */
  readonly curves: readonly CurveSeries[];
  /** Binary tasks: the ROC curve of the scored examples. */
  readonly roc?: readonly RocPoint[];
  /** Ensembles: each member's accuracy, shown beside the ensemble's own. */
  readonly members?: readonly MemberAccuracy[];
  /** A `--lr auto` fit: its learning-rate sweep's curve and the rate chosen. */
  readonly lrFind?: FitSummary["learningRate"];
  /** Tables: permutation importance on the scored rows (for an ensemble, each member's too). */
  readonly importance?: ImportanceResult;
  /** Image models: the wrongly classified examples, most confidently wrong first. */
  readonly misclassified?: { readonly shown: readonly Thumbnail[]; readonly total: number };
  readonly params: Params;
  /** Short labelled figures: parameters, epochs run and kept, fit time. */
  readonly facts: readonly (readonly [string, string])[];
}

export interface CurveSeries {
  /** The series' name: "" for a single fit, "fold 2", a member's name. */
  readonly run: string;
  readonly history: readonly EpochRecord[];
  /** 1-based epoch whose weights were kept. */
  readonly bestEpoch?: number;
}

export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
}

export interface MemberAccuracy {
  readonly name: string;
  readonly accuracy: number;
}

export interface Thumbnail {
  /** A data: URI (small PNG or JPEG), so the page needs no other file. */
  readonly src: string;
  /** The file's name, for the caption's tooltip. */
  readonly name: string;
  readonly truth: string;
  readonly predicted: string;
  /** The predicted class's probability. */
  readonly confidence: number;
  /** −log of the true class's probability. */
  readonly loss?: number;
  /** Grad-CAM overlays (data: URIs), one per member (a single model is one), for convolutional models. */
  readonly heatmaps?: readonly { readonly name: string; readonly label: string; readonly src: string }[];
}

export interface FoldFigures {
  readonly fold: number;
  readonly accuracy: number;
  readonly balancedAccuracy: number;
  readonly macroF1: number;
  readonly rocAuc?: number;
  readonly logLoss: number | null;
  readonly nTrain: number;
  readonly nTest: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly fitSeconds: number;
}

export interface Timing {
  readonly label: string;
  readonly seconds: number;
}
