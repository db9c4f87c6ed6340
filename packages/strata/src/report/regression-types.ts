import type { FitSummary, Params } from "../estimators/estimator.js";
import type { ImportanceResult } from "../explain/types.js";
import type { RegressionReport } from "../metrics/regression.js";
import type { CurveSeries, DatasetBase, ReportFrame } from "./types.js";

/**
 * Everything a regression run's report shows, as plain data (issue 24), beside types.ts's
 * classifier report: `renderReport` draws either. Built from a run's record (regression-build.ts),
 * or by hand.
 */
export type RegressionReportInput = ReportFrame<
  RegressionDatasetSummary,
  RegressionRunReport,
  RegressionFoldFigures
>;

export interface RegressionDatasetSummary extends DatasetBase {
  /** What tells a regression report's input from a classifier's (see isRegressionInput). */
  readonly task: "regression";
  /** The target's spread in each part of the data ("train", "test", or "all" for cross-validation). */
  readonly targetStats: readonly TargetStats[];
}

/** A part's target values in a few numbers. */
export interface TargetStats {
  readonly part: string;
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly median: number;
  readonly max: number;
  /** Population standard deviation: the RMSE of predicting the part's own mean. */
  readonly std: number;
}

/** One regressor's result. */
export interface RegressionRunReport {
  readonly name: string;
  /** What the metrics were computed on, in words ("the test split: 320 rows"). */
  readonly evaluatedOn: string;
  /** RMSE, MAE, R², and those of the baseline. */
  readonly scores: RegressionReport;
  /** What the baseline predicted, in words ("the training rows' mean, 5.64"). */
  readonly baseline: string;
  /** Every scored row's target and prediction (the charts draw a deterministic sample of many). */
  readonly actual: ArrayLike<number>;
  readonly predicted: ArrayLike<number>;
  /** Draw the residuals against the predictions too (a fit's report; compare shows predicted vs actual only). */
  readonly residuals: boolean;
  readonly curves: readonly CurveSeries[];
  /** What the curves' loss is measured in, in words (a network's is on the standardised target, XGBoost's in the target's units squared). */
  readonly lossNote?: string;
  /** Ensembles: each member scored alone on the same rows. */
  readonly members?: readonly RegressionMemberScore[];
  readonly lrFind?: FitSummary["learningRate"];
  /** Permutation importance on the scored rows (the rise in RMSE when a column is shuffled). */
  readonly importance?: ImportanceResult;
  readonly params: Params;
  readonly facts: readonly (readonly [string, string])[];
}

export interface RegressionMemberScore {
  readonly name: string;
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
  readonly fitSeconds?: number;
}

export interface RegressionFoldFigures {
  readonly fold: number;
  readonly rmse: number;
  readonly mae: number;
  readonly r2: number;
  /** RMSE of predicting the fold's training mean. */
  readonly baselineRmse: number;
  readonly nTrain: number;
  readonly nTest: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  readonly fitSeconds: number;
}
