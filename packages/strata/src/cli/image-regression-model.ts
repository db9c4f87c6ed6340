import { StrataError } from "../errors.js";
import { builtInKinds } from "../estimators/built-in-kinds.js";
import type { FitSummary } from "../estimators/estimator.js";
import {
  ImageNetworkRegressor,
  type ImageRegressor,
  type ImageRegressorFitOptions,
} from "../estimators/image-regressor.js";
import { type RegressionReport, regressionReport } from "../metrics/regression.js";
import type { Params, ParamValue } from "../util/params.js";
import type { ImageTargetExamples } from "../workflow/image-targets.js";
import { meanOf } from "../workflow/regression-run.js";
import { type ImageRunOptions, imageReadOptions, warnSkipped } from "./images.js";
import { type ModelTarget, modelName } from "./model-choice.js";
import { targetOf } from "./model-targets.js";
import type { Output } from "./output.js";
import type { ConsoleProgress } from "./progress.js";

/*
 * The image regressor a command line asks for (the twin of --model's image classifier: cnn →
 * cnn-regressor, …), fitted on image files and scored on the ones that decode.
 */

/**
 * An unfitted image regressor: the regressor twin of the target's kind, made by its descriptor
 * with the params the options set (--seed given to it). An ensemble is refused: a regression
 * ensemble's members are table models.
 */
export function imageRegressor(target: ModelTarget, params: Record<string, ParamValue>): ImageRegressor {
  const t = targetOf(target);
  if (t.ensemble)
    throw new StrataError(
      `--model ${t.name}: an ensemble of image regressors is not made yet (a regression ensemble's members are table models); on numbers, fit --model cnn, dense or transfer`,
    );
  const twin = builtInKinds.regressor(t.kind.name);
  const { seed, ...rest } = params;
  const given = Object.hasOwn(twin.params, "seed") && seed !== undefined ? { ...rest, seed } : rest;
  const model = builtInKinds.createRegressor({ kind: twin.name, params: given as Params });
  if (model.input !== "images" || !(model instanceof ImageNetworkRegressor)) {
    model.dispose();
    throw new Error(`the CLI cannot fit regressors of kind "${model.kind}" on images`);
  }
  return model;
}

/** The name --json and the output give the regressor: the image model's ("cnn", "dense", "transfer"). */
export function imageRegressorName(target: ModelTarget): string {
  return modelName(target);
}

/** Weights in the fitted network. */
export function parameterCount(model: ImageRegressor): number | undefined {
  return model instanceof ImageNetworkRegressor ? model.network.countParams() : undefined;
}

/** A fit's summary (an empty one when the model kept none). */
export function summaryOf(model: ImageRegressor): FitSummary {
  return model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 };
}

/**
 * Fits `model` on the images (unreadable ones skipped with a warning); returns the mean of the
 * images it trained on: the baseline's prediction.
 */
export async function fitImageRegressor(
  model: ImageRegressor,
  train: ImageTargetExamples,
  o: ImageRunOptions,
  out: Output,
  listener?: ConsoleProgress,
): Promise<{ trainMean: number; nTrain: number }> {
  // Every image regressor's fit takes how images are read (ImageNetworkRegressor's options).
  const fittable = model as ImageRegressor & {
    fit(
      images: readonly string[],
      y: readonly number[],
      options?: ImageRegressorFitOptions,
    ): Promise<unknown>;
  };
  await fittable.fit(train.x, train.y, { ...imageReadOptions(o), ...(listener ? { listener } : {}) });
  warnSkipped(out, model.skipped, "unreadable training images skipped");
  const skipped = new Set(model.skipped.map((s) => s.file));
  const kept = train.y.filter((_, i) => !skipped.has(train.x[i]));
  return { trainMean: meanOf(kept), nTrain: kept.length };
}

/** A fitted regressor's predictions of the test images that decode, scored beside `trainMean`. */
export interface ScoredImages {
  readonly report: RegressionReport;
  readonly actual: Float64Array;
  readonly predicted: Float64Array;
  /** Indices into the test images of the scored ones. */
  readonly kept: readonly number[];
}

export async function scoreImageRegressor(
  model: ImageRegressor,
  test: ImageTargetExamples,
  trainMean: number,
  o: Pick<ImageRunOptions, "cache" | "strict">,
  out: Output,
  where: string,
): Promise<ScoredImages> {
  const readable = await model.predictReadable(test.x, { cacheDir: o.cache, strict: o.strict });
  warnSkipped(out, readable.skipped, "unreadable test images left out");
  if (readable.kept.length === 0)
    throw new StrataError(`${where}: none of the ${test.x.length} test images could be read`);
  const actual = Float64Array.from(readable.kept, (i) => test.y[i]);
  return {
    report: regressionReport(actual, readable.values, trainMean),
    actual,
    predicted: readable.values,
    kept: readable.kept,
  };
}
