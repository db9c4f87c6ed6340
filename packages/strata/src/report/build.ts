import type { Matrix } from "../util/matrix.js";
import { metricsJson } from "../workflow/results.js";
import type { CompareRun, CvRun, FitRun, ModelFit, RegressorFit, RunRecord } from "../workflow/run-record.js";
import { classCounts, datasetSummary, unit } from "./dataset.js";
import { regressionCompareReport, regressionCvReport, regressionFitReport } from "./regression-build.js";
import type { RegressionReportInput } from "./regression-types.js";
import { mean, timings } from "./run-timings.js";
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
    title:
      data.kind === "table"
        ? `strata: ${data.target} from ${data.source}`
        : `strata: ${fit.model} on ${data.source}`,
    command: "fit",
    generatedAt: new Date().toISOString(),
    dataset: datasetSummary(
      data,
      run.split,
      fit.task,
      classCounts(fit.report.labels, run.train.y, run.test.y),
    ),
    runs: [scored],
    backend: fit.backend,
    timings: timings(
      [
        ["fit", fit.summary.seconds],
        // Fits in phases (transfer learning: features, head, fine-tuning) say what each took.
        ...(fit.summary.phases ?? []).map((p): [string, number] => [`fit: ${p.name}`, p.seconds]),
      ],
      options.elapsedSeconds,
    ),
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
    title: `strata: ${fits.map((f) => f.model).join(" vs ")} on ${run.data.source}`,
    command: "compare",
    generatedAt: new Date().toISOString(),
    dataset: datasetSummary(
      run.data,
      run.split,
      first.task,
      classCounts(first.report.labels, run.train.y, run.test.y),
    ),
    runs,
    backend: first.backend,
    timings: timings(
      fits.map((f) => [`fit ${f.model}`, f.summary.seconds]),
      options.elapsedSeconds,
    ),
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
    name: run.model,
    evaluatedOn: `every ${data.kind === "images" ? "image" : "row"}'s out-of-fold prediction, pooled over ${cv.folds.length} folds (${kept.length} ${unit(data.kind)}); the folds section has each fold's figures`,
    metrics,
    curves: cv.folds.map((f) => ({
      run: `fold ${f.fold}`,
      history: f.summary.history ?? [],
      bestEpoch: f.summary.bestEpoch,
    })),
    roc: rocOf(metrics, proba, kept, examples.y),
    params: run.params,
    facts: [
      ["folds", String(cv.folds.length)],
      ["fit per fold", `${mean(cv.folds.map((f) => f.summary.seconds)).toFixed(1)} s`],
    ],
  };
  return {
    title: `strata: ${run.split.folds}-fold cross-validation of ${run.model} on ${data.source}`,
    command: "cv",
    generatedAt: new Date().toISOString(),
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
    backend: cv.backend,
    timings: timings(
      cv.folds.map((f) => [`fit fold ${f.fold}`, f.summary.seconds]),
      options.elapsedSeconds,
    ),
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
