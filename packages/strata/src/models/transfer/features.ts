import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { imageBatches } from "../../images/batch-source.js";
import type { SkippedFile } from "../../images/folder.js";
import { predictTensor } from "../../train/forward.js";
import { ensureStrataDir } from "../../util/strata-dirs.js";

/** Raw pixels in, as the transfer network's preprocess layer expects. */
const RAW = { kind: "divide", by: 1 } as const;

export interface FeatureOptions {
  /** [height, width] images are resized to (the network's input). */
  readonly size: readonly [number, number];
  /**
   * Folder of cached features, one file per image content, under a sub-folder per `key`
   * (backbone, cut and size): a rerun, another fold or another head reuses them. Absent: none.
   */
  readonly cacheDir?: string;
  /** What the features depend on besides the pixels (backbone, cut, size). */
  readonly key: string;
  readonly strict?: boolean;
  readonly batchSize?: number;
  /**
   * Computes the features of the files not in the cache (indices into `files`) instead of
   * decoding them and running `model` (e.g. from activations already computed): undefined for a
   * file that could not be read, which the computing side reports (it is left out here, not
   * listed in `skipped`).
   */
  readonly compute?: (indices: readonly number[]) => Promise<(Float32Array | undefined)[]>;
}

export interface Features {
  /** [kept.length, channels], row after row. */
  readonly values: Float32Array;
  readonly channels: number;
  /** Indices into the files of the rows of `values`. */
  readonly kept: number[];
  readonly skipped: SkippedFile[];
  /** Images whose features came from the cache. */
  readonly cached: number;
}

/**
 * The pooled backbone features of each image: from the cache when an image with the same bytes
 * was seen with the same backbone, cut and size; otherwise decoded, run through `model` and
 * stored. Unreadable images are skipped (or, with `strict`, throw).
 */
export async function extractFeatures(
  model: tfl.LayersModel,
  files: readonly string[],
  options: FeatureOptions,
): Promise<Features> {
  const channels = model.outputs[0].shape[1] ?? 0;
  const { cacheDir } = options;
  const dir = cacheDir ? join(cacheDir, hashText(options.key).slice(0, 24)) : undefined;
  if (cacheDir && dir) {
    await ensureStrataDir(cacheDir, "cache");
    await mkdir(dir, { recursive: true });
  }
  const rows: (Float32Array | undefined)[] = new Array(files.length);
  const names: (string | undefined)[] = new Array(files.length);
  let cached = 0;
  if (dir) {
    await Promise.all(
      files.map(async (file, i) => {
        const bytes = await readFile(file).catch(() => undefined);
        if (!bytes) return;
        names[i] = join(dir, `${createHash("sha256").update(bytes).digest("hex")}.f32`);
        const hit = existsSync(names[i]) ? await readFile(names[i]) : undefined;
        if (hit && hit.byteLength === channels * 4) {
          rows[i] = new Float32Array(hit.buffer.slice(hit.byteOffset, hit.byteOffset + hit.byteLength));
          cached++;
        }
      }),
    );
  }
  const store = async (i: number, row: Float32Array): Promise<void> => {
    rows[i] = row;
    const name = names[i];
    if (name) {
      const tmp = `${name}.tmp-${process.pid}`;
      await writeFile(tmp, new Uint8Array(row.buffer, row.byteOffset, row.byteLength));
      await rename(tmp, name); // atomic: a reader never sees half a feature file
    }
  };
  const todo = files.flatMap((_, i) => (rows[i] ? [] : [i]));
  let skipped: SkippedFile[] = [];
  if (options.compute) {
    const computed = await options.compute(todo);
    for (const [j, i] of todo.entries()) {
      const row = computed[j];
      if (row) await store(i, row);
    }
  } else {
    const labels = todo.map(String);
    const batches = imageBatches(
      todo.map((i, j) => ({ file: files[i], label: labels[j] })),
      labels,
      { size: options.size, channels: 3, scaling: RAW },
      { batchSize: options.batchSize ?? 32, strict: options.strict },
    );
    for await (const batch of batches) {
      const out = tf.tidy(() => predictTensor(model, tf.tensor4d(batch.x, [batch.n, ...options.size, 3])));
      const values = (await out.data()) as Float32Array;
      out.dispose();
      for (let b = 0; b < batch.n; b++)
        await store(Number(labels[batch.y[b]]), values.slice(b * channels, (b + 1) * channels));
    }
    skipped = batches.skipped;
  }
  const kept = files.flatMap((_, i) => (rows[i] ? [i] : []));
  const values = new Float32Array(kept.length * channels);
  kept.forEach((i, r) => {
    values.set(rows[i] as Float32Array, r * channels);
  });
  return { values, channels, kept, skipped, cached };
}

export function hashText(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
