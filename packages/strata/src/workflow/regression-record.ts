import type { FitSummary } from "../estimators/estimator.js";
import type { ImportanceResult } from "../explain/types.js";
import type { RegressionReport } from "../metrics/regression.js";
import type { Params } from "../util/params.js";

/*
 * What a regressor's fit or cross-validation produced (issue 24), as typed data beside
 * run-record.ts's classifier records: a run's `fit` (or each of a comparison's `fits`, or a cv's
 * `cv`) is one of these when its task is "regression". The --json object and the report are both
 * made from it.
 */

/** An ensemble member scored alone on its ensemble's test rows. */
export interface RegressionMemberRecord {
  readonly name: string;
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
  /** Seconds of the member's fit on all the training rows. */
  readonly fitSeconds?: number;
  /** Its prediction of each test row (for --votes and the report). */
  readonly predicted: Float64Array;
}

/** One regressor fitted on a training part and scored on a test part. */
export interface RegressorFit {
  /** The model's name as the CLI spells it ("dense", "xgboost", "stack", …). */
  readonly model: string;
  readonly params: Params;
  /** What it computed on (see modelBackend). */
  readonly backend: string;
  readonly task: "regression";
  /** RMSE, MAE, R² and those of predicting the training mean. */
  readonly report: RegressionReport;
  /** The test rows' targets and the model's predictions of them, in the test part's order. */
  readonly actual: Float64Array;
  readonly predicted: Float64Array;
  /** The training rows' mean target: the baseline's prediction. */
  readonly trainMean: number;
  readonly nTrain: number;
  readonly summary: FitSummary;
  /** Weights in the network, when the model is one. */
  readonly parameters?: number;
  /** Ensembles: each member scored alone on the same test rows. */
  readonly members?: readonly RegressionMemberRecord[];
  /** Permutation importance on the test rows (the rise in RMSE when a column is shuffled). */
  readonly importance?: ImportanceResult;
}

/** One fold of a regressor's cross-validation. */
export interface RegressionFoldResult {
  /** 1-based. */
  readonly fold: number;
  readonly report: RegressionReport;
  readonly nTrain: number;
  readonly nTest: number;
  readonly summary: FitSummary;
  /** For an ensemble: each member's own scores on the fold's test rows. */
  readonly members?: readonly Omit<RegressionMemberRecord, "predicted" | "fitSeconds">[];
}

/** A regressor cross-validated over folds. */
export interface RegressionCrossValidation {
  readonly task: "regression";
  readonly folds: readonly RegressionFoldResult[];
  /** Every row's out-of-fold prediction, in the data's row order. */
  readonly outOfFold: Float64Array;
  /** Every row's target, in the same order. */
  readonly actual: Float64Array;
  /** The out-of-fold predictions pooled into one report (the baseline: each fold's training mean). */
  readonly pooled: RegressionReport;
  readonly backend: string;
}
