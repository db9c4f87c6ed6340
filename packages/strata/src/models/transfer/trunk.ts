import * as tf from "@tensorflow/tfjs-core";
import { imageBatches } from "../../images/batch-source.js";
import type { SkippedFile } from "../../images/folder.js";
import { hashTensor, hashText } from "../../parallel/distributed-hash.js";
import { shardSteps } from "../../parallel/distributed-shard.js";
import type { BatchSource } from "../../train/sources.js";
import { mixSeed, Rng } from "../../util/random.js";

export interface TrunkReading {
  readonly size: readonly [number, number];
  readonly strict?: boolean;
  readonly cacheDir?: string;
  /** Also compute each image's mirror image's activations (default true). */
  readonly mirrored?: boolean;
}

/**
 * A frozen trunk's activations for image files (raw RGB in, as the transfer network's
 * preprocessing layer expects), and for their mirror images. Shapes: [kept.length, …].
 */
export async function trunkActivations(
  trunk: (x: tf.Tensor) => tf.Tensor,
  files: readonly string[],
  reading: TrunkReading,
): Promise<{ plain: tf.Tensor; mirrored: tf.Tensor; kept: number[]; skipped: SkippedFile[] }> {
  const labels = files.map((_, i) => String(i));
  const batches = imageBatches(
    files.map((file, i) => ({ file, label: labels[i] })),
    labels,
    { size: reading.size, channels: 3, scaling: { kind: "divide", by: 1 } },
    { batchSize: 32, strict: reading.strict, cacheDir: reading.cacheDir },
  );
  const plain: tf.Tensor[] = [];
  const mirrored: tf.Tensor[] = [];
  const kept: number[] = [];
  try {
    for await (const batch of batches) {
      const x = tf.tensor4d(batch.x, [batch.n, reading.size[0], reading.size[1], 3]);
      plain.push(tf.tidy(() => trunk(x)));
      if (reading.mirrored !== false) mirrored.push(tf.tidy(() => trunk(tf.reverse(x, 2))));
      x.dispose();
      for (let b = 0; b < batch.n; b++) kept.push(batch.y[b]);
    }
    const join = (parts: tf.Tensor[]) => (parts.length === 1 ? parts[0].clone() : tf.concat(parts));
    return {
      plain: join(plain),
      mirrored: reading.mirrored === false ? tf.zeros([0]) : join(mirrored),
      kept,
      skipped: batches.skipped,
    };
  } finally {
    tf.dispose([...plain, ...mirrored]);
  }
}

/**
 * Batches of rows drawn from `plain` or, at random (half the rows, seeded by epoch), from
 * `mirrored`: the flip augmentation, on cached activations. The source does not own its tensors.
 * In a data-parallel fit every rank draws the same order and flips (from the seed and the epoch)
 * and gathers its share of each batch (`shard`), so a fit does not depend on the world size.
 */
export function mirroredSource(
  plain: tf.Tensor,
  mirrored: tf.Tensor,
  y: tf.Tensor,
  options: { batchSize: number; seed: number },
): BatchSource {
  const samples = plain.shape[0];
  const { batchSize, seed } = options;
  /** One batch's rows, the plain ones first, then the mirrored ones. */
  const gather = (ids: ArrayLike<number>, flip: ArrayLike<number>) => {
    const a = Int32Array.from(Array.from(ids).filter((_, i) => !flip[i]));
    const b = Int32Array.from(Array.from(ids).filter((_, i) => flip[i]));
    return tf.tidy(() => {
      const pick = (from: tf.Tensor, idx: Int32Array) => tf.gather(from, tf.tensor1d(idx, "int32"));
      return { x: tf.concat([pick(plain, a), pick(mirrored, b)]), y: tf.concat([pick(y, a), pick(y, b)]) };
    });
  };
  return {
    samples,
    batchesPerEpoch: Math.ceil(samples / batchSize),
    async *batches(epoch: number) {
      const { order, flips } = mirroredDraws(samples, seed, epoch);
      for (let start = 0; start < samples; start += batchSize)
        yield gather(order.subarray(start, start + batchSize), flips.subarray(start, start + batchSize));
    },
    async *shard(epoch: number, rank: number, worldSize: number) {
      const { order, flips } = mirroredDraws(samples, seed, epoch);
      for (const s of shardSteps(order, batchSize, rank, worldSize))
        yield {
          batch: gather(s.rows, flips.subarray(s.first, s.first + s.rows.length)),
          gradientScale: s.gradientScale,
          globalRows: s.globalRows,
        };
    },
    fingerprint: () =>
      [plain, mirrored, y].reduce(
        (h, t) => hashTensor(t, h),
        hashText(JSON.stringify({ shapes: [plain.shape, mirrored.shape, y.shape], batchSize, seed })),
      ),
  };
}

/** An epoch's order of the rows and whether each position is mirrored (1), drawn from (seed, epoch). */
function mirroredDraws(
  samples: number,
  seed: number,
  epoch: number,
): { order: Int32Array; flips: Uint8Array } {
  const rng = new Rng(mixSeed(seed, epoch));
  const order = Int32Array.from(rng.permutation(samples));
  // Drawn position after position, as batch after batch: the same draws as before sharding.
  const flips = Uint8Array.from(order, () => (rng.next() < 0.5 ? 1 : 0));
  return { order, flips };
}
