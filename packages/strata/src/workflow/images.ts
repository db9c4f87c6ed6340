import type { ImageInput } from "../estimators/estimator.js";
import { type ImageFolder, type ImageItem, scanImageFolder } from "../images/folder.js";
import { holdoutSplit } from "../split/holdout.js";
import { requireClassesInTraining } from "../split/training-classes.js";
import type { Labelled } from "./labelled.js";
import type { HoldoutRecord } from "./run-record.js";

/** Image items as labelled examples: X is the files, y their class folders. */
export function imageExamples(items: readonly ImageItem[]): Labelled<ImageInput> {
  return { x: items.map((i) => i.file), y: items.map((i) => i.label) };
}

export interface ImageSplitOptions {
  /** Share held out for testing when the folder has no test/ part. */
  readonly testSize: number;
  readonly seed: number;
  /** Fail on the first non-image file instead of listing it in `folder.skipped`. */
  readonly strict?: boolean;
}

/**
 * An image folder's training and test examples: its own test/ part when it has one, otherwise
 * a stratified hold-out of its images (a StrataError, before any image is read, when a class has
 * fewer than 2 images: one of them could not be trained on). `split` says which it was.
 */
export function imageSplit(
  dir: string,
  options: ImageSplitOptions,
): { folder: ImageFolder; train: Labelled<ImageInput>; test: Labelled<ImageInput>; split: HoldoutRecord } {
  const folder = scanImageFolder(dir, { strict: options.strict });
  if (folder.test)
    return {
      folder,
      train: imageExamples(folder.train),
      test: imageExamples(folder.test),
      split: { kind: "folder" },
    };
  const labels = folder.train.map((i) => i.label);
  const ctx = { what: "a stratified hold-out split", source: dir, unit: "image" };
  requireClassesInTraining(labels, [], ctx);
  const split = holdoutSplit(folder.train.length, {
    testSize: options.testSize,
    seed: options.seed,
    stratify: labels,
  });
  requireClassesInTraining(labels, [split], ctx);
  return {
    folder,
    train: imageExamples(split.train.map((i) => folder.train[i])),
    test: imageExamples(split.test.map((i) => folder.train[i])),
    split: { kind: "stratified", testSize: options.testSize, seed: options.seed },
  };
}

/** Every labelled image of a folder (train/ and test/ together), e.g. for cross-validation. */
export function allImages(folder: ImageFolder): Labelled<ImageInput> {
  return imageExamples([...folder.train, ...(folder.test ?? [])]);
}
