import type { ImageFitOptions } from "../estimators/image.js";
import type { ImageFolder, SkippedFile } from "../images/folder.js";
import type { ParamValue } from "../util/params.js";
import { lookalikeNote } from "../workflow/dataset.js";
import { fitAndScore } from "../workflow/fit-and-score.js";
import { imageSplit } from "../workflow/images.js";
import type { Labelled } from "../workflow/labelled.js";
import { type FitRun, type ModelFit, modelFit } from "../workflow/run-record.js";
import { ensembleFitOptions } from "./ensemble-run.js";
import { imageEstimator, isEnsembleTarget, type ModelTarget, modelName } from "./model-choice.js";
import type { Output } from "./output.js";
import { ConsoleProgress } from "./progress.js";

/** A fitted image model (a network or an ensemble of image models). */
type ImageModel = ReturnType<typeof imageEstimator>;

/** How the image commands read and split a folder, and read its images on this machine. */
export interface ImageRunOptions {
  seed: number;
  testSize: number;
  cache?: string;
  memoryCache?: number;
  strict?: boolean;
}

/** The fit options that say how images are read here (machine settings, never saved with a model). */
export function imageReadOptions(
  o: ImageRunOptions,
): Pick<ImageFitOptions, "cacheDir" | "memoryCacheMiB" | "strict"> {
  return { cacheDir: o.cache, memoryCacheMiB: o.memoryCache, strict: o.strict };
}

/** The folder's train and test images (its test/ part, or a stratified hold-out), with notes. */
export function splitImages(dir: string, o: ImageRunOptions, out: Output) {
  const split = imageSplit(dir, { testSize: o.testSize, seed: o.seed, strict: o.strict });
  warnSkipped(out, split.folder.skipped, "files skipped");
  const { folder, train, test } = split;
  noteLookalikeClasses(out, dir, folder.classes);
  out.note(
    `${dir}: ${folder.classes.length} classes, ${train.y.length} training and ${test.y.length} test images` +
      (folder.test ? " (its test/ folder)" : ` (stratified hold-out, seed ${o.seed})`),
  );
  return split;
}

/**
 * Fits one image model on `train`, scores it on `test` (unreadable images left out with a
 * warning); returns the fitted model (the caller disposes it) and the record of its fit.
 */
export async function fitAndScoreImages(
  target: ModelTarget,
  params: Record<string, ParamValue>,
  folder: ImageFolder,
  train: Labelled<readonly string[]>,
  test: Labelled<readonly string[]>,
  o: ImageRunOptions & { checkpoint?: string; resume?: boolean; jobs?: number },
  out: Output,
  listener = out.quiet ? undefined : new ConsoleProgress(),
): Promise<{ model: ImageModel; fit: ModelFit }> {
  const model = imageEstimator(target, params);
  const fitOptions = isEnsembleTarget(target)
    ? ensembleFitOptions(o, out, { ...imageReadOptions(o) })
    : { ...imageReadOptions(o), listener, checkpoint: o.checkpoint, resume: o.resume };
  const result = await fitAndScore<readonly string[], typeof model>(model, train, test, {
    ...fitOptions,
    classes: folder.classes,
  });
  if ("skipped" in result.model) warnSkipped(out, result.model.skipped, "unreadable training images skipped");
  warnSkipped(out, result.skipped, "unreadable test images left out");
  const task = folder.classes.length === 2 ? "binary" : "multiclass";
  return { model: result.model, fit: modelFit(result, task, modelName(target)) };
}

/** strata fit <image folder>: the fitted model (the caller saves and disposes it) and the run's record. */
export async function fitImages(
  dir: string,
  target: ModelTarget,
  params: Record<string, ParamValue>,
  o: ImageRunOptions & { checkpoint?: string; resume?: boolean; jobs?: number },
  out: Output,
): Promise<{ model: ImageModel; run: FitRun & { readonly fit: ModelFit } }> {
  imageEstimator(target, params).dispose(); // a bad member or param is named before any image is read
  const { folder, train, test, split } = splitImages(dir, o, out);
  const { model, fit } = await fitAndScoreImages(target, params, folder, train, test, o, out);
  return {
    model,
    run: {
      command: "fit",
      data: { kind: "images", source: dir },
      split,
      train: { y: train.y, files: train.x },
      test: { y: test.y, files: test.x },
      fit,
    },
  };
}

/** A note when class folders differ only in case or number format ("Cat" and "cat"). */
export function noteLookalikeClasses(out: Output, dir: string, classes: readonly string[]): void {
  const alike = lookalikeNote(classes);
  if (alike) out.note(`note: ${dir}: class folders ${alike}`);
}

/** One warning line: how many files were passed over, and the first few with their reasons. */
export function warnSkipped(
  out: Output,
  skipped: readonly (SkippedFile | { readonly input: string; readonly reason: string })[],
  what: string,
): void {
  if (skipped.length === 0) return;
  const first = skipped.slice(0, 3).map((f) => `${"file" in f ? f.file : f.input} (${f.reason})`);
  out.note(`warning: ${skipped.length} ${what}: ${first.join("; ")}${skipped.length > 3 ? "; …" : ""}`);
}
