import * as tf from "@tensorflow/tfjs-core";
import { imageBatches } from "../../images/batch-source.js";
import type { SkippedFile } from "../../images/folder.js";
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
 */
export function mirroredSource(
  plain: tf.Tensor,
  mirrored: tf.Tensor,
  y: tf.Tensor,
  options: { batchSize: number; seed: number },
): BatchSource {
  const samples = plain.shape[0];
  return {
    samples,
    batchesPerEpoch: Math.ceil(samples / options.batchSize),
    async *batches(epoch: number) {
      const rng = new Rng(mixSeed(options.seed, epoch));
      const order = rng.permutation(samples);
      for (let start = 0; start < samples; start += options.batchSize) {
        const ids = order.slice(start, start + options.batchSize);
        const flip = ids.map(() => rng.next() < 0.5);
        const a = Int32Array.from(ids.filter((_, i) => !flip[i]));
        const b = Int32Array.from(ids.filter((_, i) => flip[i]));
        yield tf.tidy(() => {
          const pick = (from: tf.Tensor, idx: Int32Array) => tf.gather(from, tf.tensor1d(idx, "int32"));
          return {
            x: tf.concat([pick(plain, a), pick(mirrored, b)]),
            y: tf.concat([pick(y, a), pick(y, b)]),
          };
        });
      }
    },
  };
}
