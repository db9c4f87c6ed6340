import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { ReadablePrediction } from "../estimators/estimator.js";
import { probaFromOutputs, targetTensor } from "../estimators/labels.js";
import { type ImageShardInput, imageFingerprint, shardImageBatches } from "../parallel/distributed-images.js";
import { predictTensor } from "../train/forward.js";
import type { BatchSource } from "../train/sources.js";
import { matrix } from "../util/matrix.js";
import { type AugmentConfig, makeAugmenter } from "./augment.js";
import type { ImageItem, SkippedFile } from "./folder.js";
import { ImageBatches } from "./loader.js";
import type { PixelScaling } from "./pixels.js";

/** How images become network input: the model's side of reading them. */
export interface ImageInputConfig {
  /** [height, width]. */
  readonly size: readonly [number, number];
  readonly channels: 1 | 3;
  readonly scaling: PixelScaling;
}

/** How one pass reads them: this run's side. */
export interface ImageReading {
  readonly batchSize: number;
  /** Shuffle each epoch and augment each image, drawing from this seed (training); absent: in order. */
  readonly seed?: number;
  readonly augment?: AugmentConfig | null;
  readonly cacheDir?: string;
  readonly memoryCacheBytes?: number;
  readonly strict?: boolean;
}

/** Decoded, resized, scaled (and in training shuffled and augmented) batches of image items. */
export function imageBatches(
  items: readonly ImageItem[],
  classes: readonly string[],
  input: ImageInputConfig,
  reading: ImageReading,
): ImageBatches {
  const shape = { height: input.size[0], width: input.size[1], channels: input.channels };
  return new ImageBatches({
    items,
    classes,
    ...shape,
    batchSize: reading.batchSize,
    seed: reading.seed,
    augment:
      reading.seed !== undefined && reading.augment ? makeAugmenter(reading.augment, shape) : undefined,
    scaling: input.scaling,
    cacheDir: reading.cacheDir,
    memoryCacheBytes: reading.memoryCacheBytes,
    strict: reading.strict,
  });
}

/**
 * Image items as a BatchSource for the training loop: x [n, h, w, c], y one-hot (or 0/1), or
 * what `target` makes of the batch's label indices (a regressor's numbers).
 */
export function imageSource(
  items: readonly ImageItem[],
  classes: readonly string[],
  input: ImageInputConfig,
  reading: ImageReading,
  target: (labels: Int32Array) => tf.Tensor = (labels) => targetTensor(labels, classes.length),
): BatchSource & { readonly skipped: SkippedFile[] } {
  const batches = imageBatches(items, classes, input, reading);
  const [height, width] = input.size;
  // Data-parallel training: each rank decodes only its share of every global batch.
  const shard: ImageShardInput = {
    items,
    classes,
    shape: { height, width, channels: input.channels },
    batchSize: reading.batchSize,
    seed: reading.seed,
    augment: batches.opts.augment,
    decoding: { scaling: input.scaling, cacheDir: reading.cacheDir, strict: reading.strict },
    skipped: batches.skipped,
    target,
  };
  return {
    skipped: batches.skipped,
    shard: (epoch, rank, worldSize) => shardImageBatches(shard, epoch, rank, worldSize),
    fingerprint: () => imageFingerprint(shard),
    samples: items.length,
    batchesPerEpoch: Math.ceil(items.length / reading.batchSize),
    async *batches(epoch: number) {
      for await (const batch of batches.epoch(epoch)) {
        const x = tf.tensor4d(batch.x, [batch.n, height, width, input.channels]);
        yield { x, y: target(batch.y) };
      }
    },
  };
}

/**
 * A network's class probabilities for image files, in input order: the files that decode are
 * scored in batches of 64, unreadable ones are listed in `skipped` (with `strict`, the first one
 * throws instead).
 */
export async function predictImageFiles(
  network: tfl.LayersModel,
  files: readonly string[],
  classes: readonly string[],
  input: ImageInputConfig,
  options: Pick<ImageReading, "cacheDir" | "strict"> = {},
): Promise<ReadablePrediction> {
  const { values, kept, skipped } = await predictImageOutputs(network, files, input, options);
  const proba = kept.length ? probaFromOutputs(values, classes.length) : matrix(0, classes.length);
  return { proba, kept, skipped };
}

/** A network's raw outputs for the image files that decode (row after row), which those are, and the rest. */
export interface ImageOutputs {
  readonly values: Float32Array;
  /** Indices into the files of the rows of `values`, in input order. */
  readonly kept: number[];
  readonly skipped: { input: string; reason: string }[];
}

/**
 * A network's outputs for image files, in input order: the files that decode are run in
 * batches of 64, unreadable ones are listed in `skipped` (with `strict`, the first one throws
 * instead).
 */
export async function predictImageOutputs(
  network: tfl.LayersModel,
  files: readonly string[],
  input: ImageInputConfig,
  options: Pick<ImageReading, "cacheDir" | "strict"> = {},
): Promise<ImageOutputs> {
  // Every file is given the one class "" (labels do not matter to a prediction).
  const batches = imageBatches(
    files.map((file) => ({ file, label: "" })),
    [""],
    input,
    { ...options, batchSize: 64 },
  );
  const chunks: Float32Array[] = [];
  const kept: number[] = [];
  let cursor = 0;
  for await (const batch of batches) {
    const out = tf.tidy(() =>
      predictTensor(network, tf.tensor4d(batch.x, [batch.n, ...input.size, input.channels])),
    );
    chunks.push((await out.data()) as Float32Array);
    out.dispose();
    // Batches keep input order, so each kept file is the next input of that name.
    for (const file of batch.files) {
      while (files[cursor] !== file) cursor++;
      kept.push(cursor++);
    }
  }
  const values = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    values.set(c, offset);
    offset += c.length;
  }
  return { values, kept, skipped: batches.skipped.map((s) => ({ input: s.file, reason: s.reason })) };
}
