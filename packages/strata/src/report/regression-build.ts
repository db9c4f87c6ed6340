import type { RegressionCrossValidation, RegressorFit } from "../workflow/regression-record.js";
import type { CompareRun, CvRun, DataRecord, FitRun, SplitRecord } from "../workflow/run-record.js";
import { splitText, unit } from "./dataset.js";
import { num } from "./page.js";
import type {
  RegressionDatasetSummary,
  RegressionFoldFigures,
  RegressionReportInput,
  RegressionRunReport,
  TargetStats,
} from "./regression-types.js";
import { compareHeading, cvHeading, fitHeading, pooledRun } from "./run-parts.js";
import { curveSeries, fitFacts } from "./scored-run.js";

/*
 * A regression report's input from a run's record (issue 24): what build.ts does for a
 * classifier's. Reads no file: a regressor's report has no thumbnails.
 */

/** Seconds the whole command took (as build.ts's ReportOptions). */
export interface RegressionReportOptions {
  readonly elapsedSeconds?: number;
}

/** A regressor's fit scored on a test split. */
export function regressionFitReport(
  run: FitRun,
  fit: RegressorFit,
  options: RegressionReportOptions = {},
): RegressionReportInput {
  const { data } = run;
  return {
    ...fitHeading(data, fit, options.elapsedSeconds),
    dataset: regressionDataset(
      data,
      run.split,
      fit.nTrain + fit.actual.length,
      holdoutStats(run.train.y, fit),
    ),
    runs: [regressorRun(fit, data.kind, true)],
  };
}

/** Several regressors fitted and scored on one split. */
export function regressionCompareReport(
  run: CompareRun,
  fits: readonly RegressorFit[],
  options: RegressionReportOptions = {},
): RegressionReportInput {
  const first = fits[0];
  return {
    ...compareHeading(run.data.source, fits, options.elapsedSeconds),
    dataset: regressionDataset(
      run.data,
      run.split,
      first ? first.nTrain + first.actual.length : 0,
      first ? holdoutStats(run.train.y, first) : [],
    ),
    runs: fits.map((f) => regressorRun(f, run.data.kind, false)),
  };
}

/** A regressor's cross-validation: the pooled out-of-fold predictions plus each fold's figures. */
export function regressionCvReport(
  run: CvRun,
  cv: RegressionCrossValidation,
  options: RegressionReportOptions = {},
): RegressionReportInput {
  const { data } = run;
  const scored = countFinite(cv.outOfFold);
  const pooled: RegressionRunReport = {
    ...pooledRun(run, cv.folds, scored),
    scores: cv.pooled,
    baseline: "predicting each fold's training mean for its test rows",
    actual: cv.actual,
    predicted: cv.outOfFold,
    residuals: true,
    lossNote: lossNote(cv.backend),
  };
  return {
    ...cvHeading(run, cv, options.elapsedSeconds),
    dataset: regressionDataset(data, run.split, cv.actual.length, [targetStats("all", cv.actual)]),
    runs: [pooled],
    folds: cv.folds.map(
      (f): RegressionFoldFigures => ({
        fold: f.fold,
        rmse: f.report.rmse,
        mae: f.report.mae,
        r2: f.report.r2,
        baselineRmse: f.report.baseline.rmse,
        nTrain: f.nTrain,
        nTest: f.nTest,
        // Only a network's epochs (ridge and trees report one "epoch").
        epochs: f.summary.history?.length ? f.summary.epochsRun : 0,
        bestEpoch: f.summary.bestEpoch,
        fitSeconds: f.summary.seconds,
      }),
    ),
  };
}

/** One regressor's part of a report, from its fit scored on the test part. */
function regressorRun(fit: RegressorFit, kind: DataRecord["kind"], residuals: boolean): RegressionRunReport {
  return {
    name: fit.model,
    evaluatedOn: `the test split: ${fit.actual.length} ${unit(kind)}`,
    scores: fit.report,
    baseline: `predicting the training rows' mean, ${num(fit.trainMean)}, for every row`,
    actual: fit.actual,
    predicted: fit.predicted,
    residuals,
    curves: curveSeries(fit.summary),
    lossNote: lossNote(fit.backend),
    ...(fit.members?.length
      ? {
          members: fit.members.map((m) => ({
            name: m.name,
            rmse: m.rmse,
            mae: m.mae,
            r2: m.r2,
            ...(m.fitSeconds === undefined ? {} : { fitSeconds: m.fitSeconds }),
          })),
        }
      : {}),
    ...(fit.importance ? { importance: fit.importance } : {}),
    ...(fit.summary.learningRate?.points ? { lrFind: fit.summary.learningRate } : {}),
    params: fit.params,
    // Epochs only for a network (ridge and trees report one "epoch").
    facts: fitFacts(
      fit.summary.history?.length ? fit.summary : { ...fit.summary, epochsRun: 0 },
      fit.parameters,
    ),
  };
}

function regressionDataset(
  data: DataRecord,
  split: SplitRecord,
  rows: number,
  targetStats: TargetStats[],
): RegressionDatasetSummary {
  return {
    source: data.source,
    kind: data.kind,
    task: "regression",
    rows,
    targetStats,
    split: { text: regressionSplitText(split, data), details: split },
    group: split.kind === "grouped" || split.kind === "grouped-kfold" ? split.group : undefined,
    ...(data.kind === "table"
      ? { target: data.target, features: data.features, dropped: data.dropped, notes: data.notes }
      : {}),
  };
}

const NETWORK_LOSS =
  "A network's loss is on the target standardised to mean 0 and standard deviation 1: with the mean squared error, predicting the mean scores about 1.";
const TREES_LOSS =
  "XGBoost's loss is the mean squared error in the target's units squared (its square root is the RMSE).";

/** What the learning curves' loss is measured in, from what the model ran on (modelBackend's names). */
export function lossNote(backend: string): string {
  const names = backend.split("+");
  // "js" is ridge's (no epochs); any other name but XGBoost's is a TF.js network's.
  const trees = names.includes("xgboost");
  const networks = names.some((n) => n !== "xgboost" && n !== "js");
  return [...(networks ? [NETWORK_LOSS] : []), ...(trees ? [TREES_LOSS] : [])].join(" ");
}

/** The split in words: a numeric target is stratified by its quantiles, not by class. */
export function regressionSplitText(split: SplitRecord, data: DataRecord): string {
  const by = `stratified by ${data.kind === "table" ? `${data.target}'s` : "the target's"} quantiles`;
  switch (split.kind) {
    case "stratified":
      return `hold-out ${by}: ${Math.round(split.testSize * 100)}% of the ${unit(data.kind)} test (seed ${split.seed})`;
    case "stratified-kfold":
      return `${split.folds}-fold cross-validation ${by} (seed ${split.seed})`;
    default:
      return splitText(split, data.kind);
  }
}

/**
 * The training part's target (read from its labels, when they are the nTrain numbers) and the
 * test part's (the fit's own record of it).
 */
function holdoutStats(trainY: readonly string[], fit: RegressorFit): TargetStats[] {
  const train = trainY.map(Number);
  const known = train.length === fit.nTrain && train.length > 0 && train.every(Number.isFinite);
  return [
    ...(known ? [targetStats("train", train)] : []),
    ...(fit.actual.length ? [targetStats("test", fit.actual)] : []),
  ];
}

/** Count, min, mean, median, max and population std of a part's finite target values. */
export function targetStats(part: string, values: ArrayLike<number>): TargetStats {
  const v = Float64Array.from(values).filter(Number.isFinite).sort();
  const n = v.length;
  const m = n ? v.reduce((a, b) => a + b, 0) / n : Number.NaN;
  const median = n === 0 ? Number.NaN : n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  const variance = n ? v.reduce((a, x) => a + (x - m) ** 2, 0) / n : Number.NaN;
  return {
    part,
    count: n,
    min: n ? v[0] : Number.NaN,
    mean: m,
    median,
    max: n ? v[n - 1] : Number.NaN,
    std: Math.sqrt(variance),
  };
}

function countFinite(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) n++;
  return n;
}
