import { stringify } from "csv-stringify/sync";
import { StrataError } from "../errors.js";
import { loadImageRegressor } from "../estimators/image-regressor-load.js";
import { readManifest } from "../estimators/manifest.js";
import { writeFileAtomic } from "../util/atomic.js";
import { readImageTargets } from "../workflow/image-targets.js";
import { warnSkipped } from "./images.js";
import type { Output } from "./output.js";
import { collectImages } from "./predict-images.js";
import { printEvaluation } from "./regression-text.js";

/*
 * evaluate and predict for a saved image regressor (issue 24): a `prediction` per image file,
 * and RMSE, MAE and R² on a folder of images with numbers, beside the training mean's.
 * Unreadable images are left out with a warning, as for image classifiers.
 */

/** True when `dir` holds a regressor of images (its strata.json says so). */
export async function isImageRegressor(dir: string): Promise<boolean> {
  const manifest = await readManifest(dir);
  return manifest.task === "regression" && manifest.input === "images";
}

/**
 * strata evaluate DIR FOLDER for an image regressor: FOLDER's images with their numbers (its
 * labels.csv, or folders named by numbers; its test/ part when it has one), scored.
 */
export async function evaluateImageRegressor(
  dir: string,
  data: string,
  out: Output,
  backend: string,
): Promise<void> {
  const targets = readImageTargets(data);
  warnSkipped(out, targets.skipped, "files skipped");
  const examples = targets.test ?? targets.train;
  const model = await loadImageRegressor(dir);
  try {
    const readable = await model.predictReadable(examples.x);
    warnSkipped(out, readable.skipped, "unreadable test images left out");
    if (readable.kept.length === 0)
      throw new StrataError(`${data}: none of the ${examples.x.length} images could be read`);
    const actual = Float64Array.from(readable.kept, (i) => examples.y[i]);
    printEvaluation(out, { dir, data, backend, unit: "images" }, actual, readable.values);
  } finally {
    model.dispose();
  }
}

/** What strata predict takes for an image regressor. */
export interface ImageRegressorPredictOptions {
  out?: string;
  votes?: boolean;
  explain?: boolean;
  runtime?: string;
}

/**
 * strata predict DIR images… for an image regressor: the CSV `file,prediction`, one row per image
 * that decodes (to --out, else stdout); unreadable images are left out with a warning.
 */
export async function predictImageRegressor(
  dir: string,
  inputs: readonly string[],
  o: ImageRegressorPredictOptions,
  out: Output,
): Promise<void> {
  const manifest = await readManifest(dir);
  if (o.runtime !== undefined && o.runtime !== "strata")
    throw new StrataError(
      `--runtime ${o.runtime}: ${dir} is an image regressor, predicted in strata's own runtime (leave out --runtime)`,
    );
  if (o.votes)
    throw new StrataError(
      `--votes shows an ensemble's members' predictions; ${dir} holds a ${manifest.kind} model (ensembles of image regressors are not made yet)`,
    );
  if (o.explain)
    throw new StrataError(
      `--explain: ${dir} is an image regressor; its heatmaps are not made yet (predict without --explain)`,
    );
  const files = collectImages(inputs);
  const model = await loadImageRegressor(dir);
  try {
    const readable = await model.predictReadable(files);
    warnSkipped(out, readable.skipped, "unreadable images left out");
    const records = readable.kept.map((i, k) => [files[i], String(readable.values[k])]);
    const csv = stringify([["file", "prediction"], ...records]);
    if (o.out) {
      await writeFileAtomic(o.out, csv);
      out.note(`wrote ${records.length} predictions to ${o.out}`);
    } else process.stdout.write(csv);
  } finally {
    model.dispose();
  }
}
