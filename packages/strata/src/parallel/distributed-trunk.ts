import * as tf from "@tensorflow/tfjs-core";
import type { SkippedFile } from "../images/folder.js";
import { currentWorld } from "./distributed.js";
import { ownedRows, shareRows } from "./distributed-rows.js";

/** A frozen trunk's activations for a list of files (see models/transfer/trunk.ts). */
export interface Activations {
  readonly plain: tf.Tensor;
  /** The mirror images' activations, or an empty tensor when not asked for. */
  readonly mirrored: tf.Tensor;
  /** Indices into the files of the rows of `plain` and `mirrored` (unreadable files left out). */
  readonly kept: number[];
  readonly skipped: SkippedFile[];
}

/**
 * A transfer fit's trunk activations in a data-parallel fit: each rank runs the trunk over its
 * share of the files (every worldSize-th) and gets the others' rows through a sum across ranks,
 * so every rank holds all of them, the same bits everywhere, for 1/worldSize of the work.
 * `read(rows)` reads the files at those positions; `shape` is one image's activation shape. In
 * a plain run, `read` of every file.
 */
export async function trunkOnRanks(
  files: readonly string[],
  shape: readonly number[],
  mirrored: boolean,
  read: (files: readonly string[]) => Promise<Activations>,
): Promise<Activations> {
  if (!currentWorld()) return read(files);
  const n = files.length;
  const mine = ownedRows(n);
  const own: Activations = mine.length
    ? await read(mine.map((i) => files[i]))
    : { plain: tf.zeros([0]), mirrored: tf.zeros([0]), kept: [], skipped: [] };
  try {
    const flags = new Float32Array(n);
    for (const k of own.kept) flags[mine[k]] = 1;
    shareRows(flags);
    const kept = Array.from({ length: n }, (_, i) => i).filter((i) => flags[i] === 1);
    const at = new Map(kept.map((i, r) => [i, r]));
    const per = shape.reduce((a, b) => a * b, 1);
    const gather = (part: tf.Tensor): tf.Tensor => {
      const all = new Float32Array(kept.length * per);
      const values = own.kept.length ? (part.dataSync() as Float32Array) : new Float32Array(0);
      own.kept.forEach((k, r) => {
        all.set(values.subarray(r * per, (r + 1) * per), (at.get(mine[k]) as number) * per);
      });
      shareRows(all);
      return tf.tensor(all, [kept.length, ...shape]);
    };
    const plain = gather(own.plain);
    const mirror = mirrored ? gather(own.mirrored) : tf.zeros([0]);
    const owned = new Set(mine);
    const skipped = [...own.skipped];
    for (let i = 0; i < n; i++)
      if (flags[i] !== 1 && !owned.has(i))
        skipped.push({ file: files[i], reason: "could not be read (on another rank)" });
    return { plain, mirrored: mirror, kept, skipped };
  } finally {
    tf.dispose([own.plain, own.mirrored]);
  }
}
