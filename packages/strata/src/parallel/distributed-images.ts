import * as tf from "@tensorflow/tfjs-core";
import { StrataError } from "../errors.js";
import type { Augment } from "../images/augment.js";
import type { ImageItem, SkippedFile } from "../images/folder.js";
import { type ImageBatch, ImageBatches, type ImageBatchOptions } from "../images/loader.js";
import { applyScaling } from "../images/pixels.js";
import type { ShardBatch } from "../train/sources.js";
import { mixSeed, Rng } from "../util/random.js";
import { hashText } from "./distributed-hash.js";
import { sumAcrossRanks } from "./distributed-rows.js";
import { type ShardStep, shardSteps } from "./distributed-shard.js";

/** How an image source reads (what `shardImageBatches` needs of it). */
export interface ImageShardInput {
  readonly items: readonly ImageItem[];
  readonly classes: readonly string[];
  readonly shape: { readonly height: number; readonly width: number; readonly channels: 1 | 3 };
  readonly batchSize: number;
  readonly seed?: number;
  readonly augment?: Augment;
  readonly decoding: Pick<ImageBatchOptions, "scaling" | "cacheDir" | "strict">;
  /** Where files that fail to decode are recorded (once each). */
  readonly skipped: SkippedFile[];
  /** A batch's label indices as the network's target. */
  readonly target: (labels: Int32Array) => tf.Tensor;
}

/** Global batches decoded ahead of the one being trained on. */
const PREFETCH = 2;

/**
 * This rank's share of each global batch of an epoch, decoded: the global order is drawn from
 * (seed, epoch) as in a one-process fit, and each image's augmentation from (seed, epoch, its
 * position in that order) exactly as there, so a run depends on the world size only through
 * the float sums and the dropout masks (drawn per rank).
 * Each rank decodes its share only (the disk cache, --cache, is shared; the memory cache is
 * not used here).
 */
export async function* shardImageBatches(
  input: ImageShardInput,
  epoch: number,
  rank: number,
  worldSize: number,
): AsyncGenerator<ShardBatch> {
  const n = input.items.length;
  const order = Int32Array.from(
    input.seed === undefined
      ? Array.from({ length: n }, (_, i) => i)
      : new Rng(mixSeed(input.seed, epoch)).permutation(n),
  );
  const steps = shardSteps(order, input.batchSize, rank, worldSize);
  const load = (k: number) => {
    const p = decodeShare(input, steps[k], epoch);
    p.catch(() => {}); // awaited below; this only stops an early failure counting as unhandled
    return p;
  };
  const pending: Promise<ImageBatch | undefined>[] = [];
  let next = 0;
  for (let k = 0; k < steps.length; k++) {
    while (next < steps.length && next <= k + PREFETCH) pending.push(load(next++));
    const batch = await (pending.shift() as Promise<ImageBatch | undefined>);
    if (!batch)
      throw new StrataError(
        `rank ${rank}: none of its ${steps[k].rows.length} images of batch ${k + 1} of epoch ${epoch + 1} could be read (see the skipped files); every rank must train on each batch: remove the unreadable files`,
      );
    // The rows the ranks read (unreadable images left out): a one-process fit averages over those.
    const mine = steps[k].gradientScale > 0 ? batch.n : 0;
    const read = sumAcrossRanks(mine);
    const { height, width, channels } = input.shape;
    yield {
      batch: { x: tf.tensor4d(batch.x, [batch.n, height, width, channels]), y: input.target(batch.y) },
      gradientScale: read > 0 ? mine / read : 0,
      globalRows: read,
    };
  }
}

/**
 * Decodes one step's images, each augmented as a one-process fit augments the image at its
 * global position p of the epoch's order (an rng from (seed, epoch, p): see images/loader.ts);
 * undefined when none decode.
 */
async function decodeShare(
  input: ImageShardInput,
  step: ShardStep,
  epoch: number,
): Promise<ImageBatch | undefined> {
  const items = Array.from(step.rows, (i) => input.items[i]);
  const { scaling, ...decoding } = input.decoding;
  const batches = new ImageBatches({
    items,
    classes: input.classes,
    ...input.shape,
    ...decoding,
    batchSize: items.length,
    prefetch: 0,
  });
  // Raw pixels in the given order (no seed: no shuffle), augmented and scaled below.
  let out: ImageBatch | undefined;
  for await (const batch of batches.epoch(0)) out = batch;
  for (const s of batches.skipped) if (!input.skipped.some((t) => t.file === s.file)) input.skipped.push(s);
  if (!out) return undefined;
  const { height, width, channels } = input.shape;
  const size = height * width * channels;
  const augment = input.augment;
  if (augment) {
    const epochSeed = mixSeed(input.seed ?? 0, epoch);
    let j = 0; // the kept images are the share's items in order, less the unreadable ones
    for (let b = 0; b < out.n; b++, j++) {
      while (items[j].file !== out.files[b]) j++;
      const img = augment(out.x.slice(b * size, (b + 1) * size), new Rng(mixSeed(epochSeed, step.first + j)));
      if (img.length !== size)
        throw new RangeError(`augment returned ${img.length} values, expected ${size}`);
      out.x.set(img, b * size);
    }
  }
  if (scaling !== undefined) applyScaling(out.x, scaling, channels);
  return out;
}

/** A hash of an image source's items and reading (compared across ranks). */
export function imageFingerprint(input: ImageShardInput): number {
  return hashText(
    JSON.stringify({
      items: input.items.map((i) => [i.file, i.label]),
      classes: input.classes,
      shape: input.shape,
      batchSize: input.batchSize,
      seed: input.seed ?? null,
    }),
  );
}
