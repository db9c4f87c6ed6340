import { relative } from "node:path";
import { quantileBins } from "../metrics/regression.js";
import { runReport } from "../report/build.js";
import { renderReport } from "../report/html.js";
import { holdoutSplit } from "../split/holdout.js";
import type { ParamValue } from "../util/params.js";
import { modelBackend } from "../workflow/fit-and-score.js";
import type { ImageTargetExamples, ImageTargets } from "../workflow/image-targets.js";
import { saveModelDir } from "../workflow/model-dir.js";
import type { RegressorFit } from "../workflow/regression-record.js";
import { fitRunJson } from "../workflow/run-json.js";
import type { FitRun, HoldoutRecord } from "../workflow/run-record.js";
import { backendPhrase } from "./cv-folds.js";
import { checkRegressionOptions } from "./fit-regression.js";
import {
  fitImageRegressor,
  imageRegressor,
  imageRegressorName,
  parameterCount,
  scoreImageRegressor,
  summaryOf,
} from "./image-regression-model.js";
import { classesInstead, decideImageTask, type ImageTaskOptions } from "./image-regression-task.js";
import { type ImageRunOptions, warnSkipped } from "./images.js";
import { imageEstimator, type ModelTarget } from "./model-choice.js";
import type { Output } from "./output.js";
import { ConsoleProgress } from "./progress.js";
import { formatRegression } from "./regression-text.js";

/*
 * strata fit FOLDER when the folder's target is numbers (issue 24): its test/ part or a hold-out
 * stratified by the target's quantiles, the regressor twin of --model fitted, scored by RMSE, MAE
 * and R² beside the training mean's, saved with --out.
 */

/** What fit on an image folder reads of its options. */
export interface ImageRegressionFitOptions extends ImageRunOptions, ImageTaskOptions {
  out?: string;
  checkpoint?: string;
  resume?: boolean;
}

/** As regressionTrainTestSplit (workflow/dataset.ts) bins a table's target. */
const REGRESSION_BINS = 10;

/**
 * strata fit on an image folder whose target is numbers: fits, scores, saves and prints; false
 * (with nothing done but the note that says why) when the folder's target is classes.
 */
export async function fitImageRegression(
  dir: string,
  target: ModelTarget,
  params: Record<string, ParamValue>,
  o: ImageRegressionFitOptions,
  out: Output,
): Promise<boolean> {
  const decided = decideImageTask(dir, o);
  if (classesInstead(decided, () => imageEstimator(target, params), out)) return false;
  checkRegressionOptions(o);
  const model = imageRegressor(target, params);
  try {
    for (const n of decided.notes) out.note(`note: ${n}`);
    const { targets } = decided;
    warnSkipped(out, targets.skipped, "files skipped");
    const { train, test, split } = holdOut(targets, o);
    out.note(
      `${dir}: ${train.x.length + test.x.length} images, ${train.x.length} training and ${test.x.length} test ` +
        (split.kind === "folder"
          ? "(its test/ folder)"
          : `(stratified by the target's quantiles ${Math.round((1 - o.testSize) * 100)}/${Math.round(o.testSize * 100)}, seed ${o.seed})`),
    );
    const listener = out.quiet ? undefined : new ConsoleProgress();
    const { trainMean, nTrain } = await fitImageRegressor(model, train, o, out, listener);
    const scored = await scoreImageRegressor(model, test, trainMean, o, out, dir);
    const parameters = parameterCount(model);
    const fit: RegressorFit = {
      model: imageRegressorName(target),
      params: model.getParams(),
      backend: modelBackend(model),
      task: "regression",
      report: scored.report,
      actual: scored.actual,
      predicted: scored.predicted,
      trainMean,
      nTrain,
      summary: summaryOf(model),
      ...(parameters === undefined ? {} : { parameters }),
    };
    const run: FitRun = {
      command: "fit",
      data: { kind: "images", source: dir },
      split,
      train: { y: train.y.map(String), files: train.x },
      // The scored images only, in the order of fit.actual and fit.predicted.
      test: { y: [...scored.actual].map(String), files: scored.kept.map((i) => test.x[i]) },
      fit,
    };
    const json = { ...fitRunJson(run), split, targets: targets.source, notes: decided.notes };
    if (o.out) {
      const report = await runReport(run, { elapsedSeconds: process.uptime() });
      await saveModelDir(o.out, {
        model,
        metrics: { ...json, out: o.out },
        reportHtml: await renderReport(report),
      });
    }
    if (out.json) {
      out.emitJson({ ...json, ...(o.out ? { out: o.out } : {}) });
      return true;
    }
    printFit(out, fit, o.out);
    return true;
  } finally {
    model.dispose();
  }
}

/** The folder's test/ part, or a hold-out of its images stratified by the target's quantile bins. */
function holdOut(
  targets: ImageTargets,
  o: { testSize: number; seed: number },
): { train: ImageTargetExamples; test: ImageTargetExamples; split: HoldoutRecord } {
  if (targets.test) return { train: targets.train, test: targets.test, split: { kind: "folder" } };
  const { x, y } = targets.train;
  const bins = Math.max(
    1,
    Math.min(REGRESSION_BINS, Math.floor(y.length * Math.min(o.testSize, 1 - o.testSize))),
  );
  const split = holdoutSplit(y.length, {
    testSize: o.testSize,
    seed: o.seed,
    stratify: quantileBins(y, bins),
  });
  const part = (rows: ArrayLike<number>): ImageTargetExamples => ({
    x: Array.from(rows, (i) => x[i]),
    y: Array.from(rows, (i) => y[i]),
  });
  return {
    train: part(split.train),
    test: part(split.test),
    split: { kind: "stratified", testSize: o.testSize, seed: o.seed },
  };
}

function printFit(out: Output, fit: RegressorFit, saved: string | undefined): void {
  const { summary } = fit;
  out.result(
    formatRegression(fit.report, fit.trainMean, fit.actual.length).replace(" test rows", " test images"),
  );
  const size = fit.parameters === undefined ? "" : `${fit.parameters} parameters; `;
  out.result(
    `${fit.model}: ${size}fit ${summary.seconds.toFixed(1)} s on ${backendPhrase(fit.backend)}: ${summary.epochsRun} epoch${summary.epochsRun === 1 ? "" : "s"}, weights of epoch ${summary.bestEpoch} kept`,
  );
  if (saved) {
    const dir = relative(process.cwd(), saved) || ".";
    out.result(`saved ${dir} (predict with: strata predict ${dir} <images or folder>)`);
  }
}
