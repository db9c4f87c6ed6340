import { regressionSplits } from "../estimators/cross-val-predict-regressor.js";
import type { ImageRegressor } from "../estimators/image-regressor.js";
import { regressionReport } from "../metrics/regression.js";
import type { ParamValue } from "../util/params.js";
import { modelBackend } from "../workflow/fit-and-score.js";
import type { ImageTargetExamples } from "../workflow/image-targets.js";
import type { RegressionCrossValidation, RegressionFoldResult } from "../workflow/regression-record.js";
import { meanOf } from "../workflow/regression-run.js";
import { cvRunJson } from "../workflow/run-json.js";
import type { CvRun } from "../workflow/run-record.js";
import { checkRegressionOptions } from "./fit-regression.js";
import {
  fitImageRegressor,
  imageRegressor,
  imageRegressorName,
  scoreImageRegressor,
  summaryOf,
} from "./image-regression-model.js";
import {
  allExamples,
  classesInstead,
  decideImageTask,
  type ImageTaskOptions,
} from "./image-regression-task.js";
import { type ImageRunOptions, warnSkipped } from "./images.js";
import { imageEstimator, type ModelTarget } from "./model-choice.js";
import type { Output } from "./output.js";
import { ConsoleProgress } from "./progress.js";
import { refuseQueueForRegression } from "./queue-option.js";
import { formatScore, printRegressionFolds } from "./regression-text.js";
import { finishReportRun } from "./report-run.js";

/*
 * strata cv FOLDER when the folder's target is numbers (issue 24): k folds over every image
 * (train/ and test/ together), stratified by the target's quantile bins, each fitting a fresh
 * regressor; RMSE, MAE and R² per fold and pooled, beside the training mean's.
 */

/** What cv on an image folder reads of its options. */
export interface ImageRegressionCvOptions extends Omit<ImageRunOptions, "testSize">, ImageTaskOptions {
  folds: number;
  out?: string;
  queue?: string;
}

/**
 * strata cv on an image folder whose target is numbers; false (with nothing done but the note
 * that says why) when the folder's target is classes.
 */
export async function cvImageRegression(
  dir: string,
  target: ModelTarget,
  params: Record<string, ParamValue>,
  o: ImageRegressionCvOptions,
  out: Output,
): Promise<boolean> {
  const decided = decideImageTask(dir, o);
  if (classesInstead(decided, () => imageEstimator(target, params), out)) return false;
  checkRegressionOptions({});
  refuseQueueForRegression(o);
  const template = imageRegressor(target, params);
  try {
    for (const n of decided.notes) out.note(`note: ${n}`);
    warnSkipped(out, decided.targets.skipped, "files skipped");
    const data = allExamples(decided.targets);
    out.note(
      `${dir}: ${data.x.length} images${decided.targets.test ? " (train/ and test/ together)" : ""}, ` +
        `${o.folds}-fold cross-validation stratified by the target's quantiles (seed ${o.seed})`,
    );
    const { cv, kept } = await foldImages(template, data, o, out);
    const record: CvRun = {
      command: "cv",
      data: { kind: "images", source: dir },
      split: { kind: "stratified-kfold", folds: o.folds, seed: o.seed },
      examples: { y: kept.map((i) => String(data.y[i])), files: kept.map((i) => data.x[i]) },
      model: imageRegressorName(target),
      params: template.getParams(),
      task: "regression",
      cv,
    };
    const json = { ...cvRunJson(record), targets: decided.targets.source, notes: decided.notes };
    await finishReportRun(record, json, o, out, () => printRegressionFolds(out, cv, o.folds, "images"));
    return true;
  } finally {
    template.dispose();
  }
}

/**
 * Each fold fits a clone of `template` and predicts its held-out images; the pooled report scores
 * every image that decoded (`kept`, in the data's order) by its out-of-fold prediction, each beside
 * the mean of the fold that held it out.
 */
async function foldImages(
  template: ImageRegressor,
  data: ImageTargetExamples,
  o: ImageRegressionCvOptions,
  out: Output,
): Promise<{ cv: RegressionCrossValidation; kept: number[] }> {
  const n = data.y.length;
  const splits = regressionSplits(data.y, {
    folds: o.folds,
    seed: o.seed,
    owner: `${o.folds}-fold cross-validation of ${n} images`,
  });
  const outOfFold = new Float64Array(n).fill(Number.NaN);
  const baseline = new Float64Array(n);
  const folds: RegressionFoldResult[] = [];
  const progress = out.quiet ? undefined : new ConsoleProgress();
  let backend = "none";
  for (const [i, split] of splits.entries()) {
    const part = (rows: readonly number[]): ImageTargetExamples => ({
      x: rows.map((r) => data.x[r]),
      y: rows.map((r) => data.y[r]),
    });
    const model = template.clone() as ImageRegressor;
    try {
      progress?.setPrefix(`fold ${i + 1}/${o.folds}  `);
      const { trainMean, nTrain } = await fitImageRegressor(
        model,
        part(split.train),
        { ...o, testSize: 0 },
        out,
        progress,
      );
      const scored = await scoreImageRegressor(model, part(split.test), trainMean, o, out, `fold ${i + 1}`);
      scored.kept.forEach((j, k) => {
        outOfFold[split.test[j]] = scored.predicted[k];
        baseline[split.test[j]] = trainMean;
      });
      backend = modelBackend(model);
      const fold: RegressionFoldResult = {
        fold: i + 1,
        report: scored.report,
        nTrain,
        nTest: scored.kept.length,
        summary: summaryOf(model),
      };
      folds.push(fold);
      out.note(
        `fold ${fold.fold}/${o.folds}: RMSE ${formatScore(fold.report.rmse)}  MAE ${formatScore(fold.report.mae)}  R² ${fold.report.r2.toFixed(4)}  (${fold.nTrain} train, ${fold.nTest} test images, ${fold.summary.seconds.toFixed(1)}s)`,
      );
    } finally {
      model.dispose();
    }
  }
  const kept = Array.from({ length: n }, (_, i) => i).filter((i) => !Number.isNaN(outOfFold[i]));
  const actual = Float64Array.from(kept, (i) => data.y[i]);
  const predicted = Float64Array.from(kept, (i) => outOfFold[i]);
  const mean = meanOf(actual);
  const pooled = regressionReport(actual, predicted, mean);
  // Each image's baseline is the mean of the images its fold trained on, as each fold's report has it.
  const { baseline: _, ...scores } = regressionReport(
    actual,
    Float64Array.from(kept, (i) => baseline[i]),
    mean,
  );
  return {
    cv: {
      task: "regression",
      folds,
      outOfFold: predicted,
      actual,
      pooled: { ...pooled, baseline: scores },
      backend,
    },
    kept,
  };
}
