import * as tf from "@tensorflow/tfjs-core";
import { hashText, hashView } from "../parallel/distributed-hash.js";
import { mixSeed, Rng } from "../util/random.js";

/**
 * One batch: x [n, …], y [n, 1] (binary 0/1) or [n, classes] (one-hot), and optionally a loss
 * weight per row, [n]. The training loop disposes all three.
 */
export interface TensorBatch {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  readonly weight?: tf.Tensor1D;
}

/**
 * Where a fit's batches come from, epoch after epoch (Keras 3's EpochIterator over a data
 * adapter): tensors held in memory (`tensorSource`) or images decoded and augmented on the fly.
 * Each epoch's order must depend only on the epoch, so a resumed fit sees what an uninterrupted
 * one would.
 */
export interface BatchSource {
  readonly samples: number;
  readonly batchesPerEpoch: number;
  /** The batches of one epoch (0-based), in that epoch's order. */
  batches(epoch: number): AsyncIterable<TensorBatch>;
  /**
   * When the batches are rows of tensors held in memory (`tensorSource`): those tensors and each
   * epoch's row order, so that a native step can gather its batches itself. Batch k of an epoch
   * is rows [k * batchSize, (k + 1) * batchSize) of `order(epoch)`.
   */
  readonly tensors?: SourceTensors;
  /**
   * Data-parallel training of streamed batches: this rank's share of each global batch of an
   * epoch (the same global order on every rank; see parallel/distributed-shard.ts), decoding
   * only that share. Sources with `tensors` need not have it (the native step gathers rows).
   */
  shard?(epoch: number, rank: number, worldSize: number): AsyncIterable<ShardBatch>;
  /** A hash of what the source yields (rows, labels, order), compared across ranks before a data-parallel fit. */
  fingerprint?(): number;
}

/** A rank's share of one global batch. */
export interface ShardBatch {
  readonly batch: TensorBatch;
  /** Its rows / the global batch's (0: a stand-in row for a rank with no share of a short batch). */
  readonly gradientScale: number;
  /** Rows in the global batch. */
  readonly globalRows: number;
}

/** A tensor source's data: see BatchSource.tensors. */
export interface SourceTensors {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
  /** A loss weight per row of x. */
  readonly weights?: Float32Array;
  readonly batchSize: number;
  /** The rows of x in the order of an epoch's batches. */
  order(epoch: number): Int32Array;
}

export interface TensorSourceOptions {
  readonly batchSize: number;
  /** Shuffle each epoch with a permutation drawn from (seed, epoch); absent: row order. */
  readonly seed?: number;
  /** A loss weight per row (e.g. balanced class weights); absent: all 1. */
  readonly weights?: Float32Array;
}

/**
 * Batches gathered from tensors held in memory. The source does not own `x` and `y`: the
 * caller disposes them after the fit.
 */
export function tensorSource(x: tf.Tensor, y: tf.Tensor, options: TensorSourceOptions): BatchSource {
  const samples = x.shape[0];
  if (y.shape[0] !== samples) throw new Error(`tensorSource: ${samples} rows of x but ${y.shape[0]} of y`);
  const { batchSize, seed, weights } = options;
  const order = (epoch: number): Int32Array =>
    seed === undefined
      ? Int32Array.from({ length: samples }, (_, i) => i)
      : Int32Array.from(new Rng(mixSeed(seed, epoch)).permutation(samples));
  return {
    samples,
    batchesPerEpoch: Math.ceil(samples / batchSize),
    tensors: { x, y, weights, batchSize, order },
    fingerprint: () => {
      let h = hashText(JSON.stringify({ x: x.shape, y: y.shape, batchSize, seed: seed ?? null }));
      h = hashView(x.dataSync(), h);
      h = hashView(y.dataSync(), h);
      return weights ? hashView(weights, h) : h;
    },
    async *batches(epoch: number) {
      const rows = order(epoch);
      for (let start = 0; start < samples; start += batchSize) {
        const ids = rows.slice(start, start + batchSize);
        yield tf.tidy(() => {
          const index = tf.tensor1d(ids, "int32");
          return {
            x: tf.gather(x, index),
            y: tf.gather(y, index),
            weight: weights ? tf.tensor1d(Float32Array.from(ids, (i) => weights[i])) : undefined,
          };
        });
      }
    },
  };
}
