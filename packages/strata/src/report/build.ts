import type { Matrix } from "../util/matrix.js";
import { metricsJson } from "../workflow/results.js";
import type { CompareRun, CvRun, FitRun, ModelFit, RegressorFit, RunRecord } from "../workflow/run-record.js";
import { classCounts, datasetSummary, unit } from "./dataset.js";
import { regressionCompareReport, regressionCvReport, regressionFitReport } from "./regression-build.js";
import type { RegressionReportInput } from "./regression-types.js";
import { compareHeading, cvHeading, fitHeading, pooledRun } from "./run-parts.js";
import { type HeatmapMaker, misclassified, rocOf, scoredRun } from "./scored-run.js";
import type { FoldFigures, ReportInput, RunReport } from "./types.js";

/*
 * A report's input from a run's record: class counts, ROC points, learning-curve series, and
 * thumbnails of misclassified images (the one step that reads files). renderReport draws it.
 */

export interface ReportOptions {
  /** Seconds the whole command took. */
  readonly elapsedSeconds?: number;
  /** Makes the Grad-CAM overlays of the misclassified images shown (fit of a convolutional model). */
  readonly heatmaps?: HeatmapMaker;
}

/** The report input of a fit, a cross-validation or a comparison (a classifier's, or a regressor's). */
export async function runReport(
  run: RunRecord,
  options: ReportOptions = {},
): Promise<ReportInput | RegressionReportInput> {
  switch (run.command) {
    case "fit":
      return fitReport(run, options);
    case "compare":
      return compareReport(run, options);
    case "cv":
      return cvReport(run, options);
  }
}

/** One fit scored on a test split. */
async function fitReport(run: FitRun, options: ReportOptions): Promise<ReportInput | RegressionReportInput> {
  const { data, fit } = run;
  if (fit.task === "regression") return regressionFitReport(run, fit, options);
  const scored = await scoredRun(
    fit,
    run.test,
    `the test split: ${fit.kept.length} ${unit(data.kind)}`,
    undefined,
    options.heatmaps,
  );
  return {
    ...fitHeading(data, fit, options.elapsedSeconds),
    dataset: datasetSummary(
      data,
      run.split,
      fit.task,
      classCounts(fit.report.labels, run.train.y, run.test.y),
    ),
    runs: [scored],
  };
}

/** Several models fitted and scored on one split. */
async function compareReport(
  run: CompareRun,
  options: ReportOptions,
): Promise<ReportInput | RegressionReportInput> {
  const fits = run.fits;
  if (areRegressorFits(fits)) return regressionCompareReport(run, fits, options);
  const first = fits[0];
  const runs = await Promise.all(
    fits.map((fit) =>
      scoredRun(fit, run.test, `the test split: ${fit.kept.length} ${unit(run.data.kind)}`, 12),
    ),
  );
  return {
    ...compareHeading(run.data.source, fits, options.elapsedSeconds),
    dataset: datasetSummary(
      run.data,
      run.split,
      first.task,
      classCounts(first.report.labels, run.train.y, run.test.y),
    ),
    runs,
  };
}

/** A cross-validation: pooled out-of-fold results plus each fold's figures. */
async function cvReport(run: CvRun, options: ReportOptions): Promise<ReportInput | RegressionReportInput> {
  if (run.task === "regression") return regressionCvReport(run, run.cv, options);
  const { cv, data, examples } = run;
  const k = cv.classes.length;
  const kept = Array.from({ length: cv.outOfFold.rows }, (_, r) => r).filter(
    (r) => !Number.isNaN(cv.outOfFold.data[r * k]),
  );
  const proba: Matrix = {
    rows: kept.length,
    cols: k,
    data: Float32Array.from(kept.flatMap((r) => Array.from(cv.outOfFold.data.subarray(r * k, (r + 1) * k)))),
  };
  const metrics = metricsJson(cv.pooled, run.task);
  const pooled: RunReport = {
    ...pooledRun(run, cv.folds, kept.length),
    metrics,
    roc: rocOf(metrics, proba, kept, examples.y),
  };
  return {
    ...cvHeading(run, cv, options.elapsedSeconds),
    dataset: datasetSummary(
      data,
      run.split,
      run.task,
      classCounts(cv.classes, undefined, undefined, examples.y),
    ),
    runs: [
      examples.files
        ? {
            ...pooled,
            misclassified: await misclassified(examples.files, examples.y, metrics.labels, proba, kept),
          }
        : pooled,
    ],
    folds: foldFigures(run),
  };
}

/** Each fold's headline figures. */
function foldFigures(run: ClassifierCvRun): FoldFigures[] {
  return run.cv.folds.map((f) => {
    const m = metricsJson(f.report, run.task);
    return {
      fold: f.fold,
      accuracy: m.accuracy,
      balancedAccuracy: m.balancedAccuracy,
      macroF1: m.macroF1,
      ...(m.rocAuc === undefined ? {} : { rocAuc: m.rocAuc }),
      logLoss: m.logLoss,
      nTrain: f.nTrain,
      nTest: f.nTest,
      epochs: f.summary.epochsRun,
      bestEpoch: f.summary.bestEpoch,
      fitSeconds: f.summary.seconds,
    };
  });
}

type ClassifierCvRun = Exclude<CvRun, { readonly task: "regression" }>;

/** A comparison's fits are all classifiers' or all regressors'. */
function areRegressorFits(
  fits: readonly ModelFit[] | readonly RegressorFit[],
): fits is readonly RegressorFit[] {
  return fits[0]?.task === "regression";
}
