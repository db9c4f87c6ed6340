import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { TrunkSplit } from "../models/transfer/split.js";
import { trunkActivations } from "../models/transfer/trunk.js";
import { trunkOnRanks } from "../parallel/distributed-trunk.js";
import { predictTensor } from "../train/forward.js";
import type { TransferRun } from "./transfer-run.js";

/** The frozen trunk's activations for a fit's images, computed once (see readTrunk). */
export interface TrunkReadings {
  /** Training images as they are and mirrored; `kept` indexes split.fit (unreadable images left out). */
  readonly fit: { readonly plain: tf.Tensor; readonly mirrored: tf.Tensor; readonly kept: number[] };
  /** Validation images as they are; `kept` indexes split.validation. */
  readonly validation?: { readonly plain: tf.Tensor; readonly kept: number[] };
  dispose(): void;
}

/**
 * Runs the frozen trunk (the layers below the unfrozen blocks, after the network's preprocessing,
 * in inference mode) once over every training image and its mirror image and every validation
 * image: what fine-tuning trains on every epoch, and, when the head trains on pooled features
 * first, what those features are computed from (the trunk then runs once for both phases).
 */
export async function readTrunk(run: TransferRun, parts: TrunkSplit): Promise<TrunkReadings> {
  const { network, files, split, size, options } = run;
  const started = performance.now();
  const preprocess = network.getLayer("preprocess");
  const trunk = (x: tf.Tensor) => predictTensor(parts.trunk, preprocess.apply(x) as tf.Tensor);
  const reading = { size, strict: options.strict, cacheDir: options.cacheDir };
  // In a data-parallel fit each rank runs the trunk over its share of the images and gets the others'.
  const shape = parts.trunk.outputs[0].shape.slice(1).map((d) => d ?? 1);
  const fit = await trunkOnRanks(
    split.fit.map((i) => files[i]),
    shape,
    true,
    (mine) => trunkActivations(trunk, mine, reading),
  );
  let validation: TrunkReadings["validation"];
  try {
    if (split.validation.length) {
      const val = await trunkOnRanks(
        split.validation.map((i) => files[i]),
        shape,
        false,
        (mine) => trunkActivations(trunk, mine, { ...reading, mirrored: false }),
      );
      val.mirrored.dispose();
      validation = { plain: val.plain, kept: val.kept };
      run.skip(val.skipped);
    }
  } catch (e) {
    tf.dispose([fit.plain, fit.mirrored]);
    throw e;
  }
  run.skip(fit.skipped);
  run.time({ name: "trunk", seconds: (performance.now() - started) / 1000 });
  return {
    fit: { plain: fit.plain, mirrored: fit.mirrored, kept: fit.kept },
    validation,
    dispose: () => tf.dispose([fit.plain, fit.mirrored, validation?.plain].filter((t) => t !== undefined)),
  };
}

/**
 * The pooled backbone features of the fit's images from their trunk activations (`toPooled`:
 * trunk activations → the backbone's top → global pooling), for the head phase: the same values
 * the whole feature network gives, within float rounding, without running the trunk again.
 * `rows` index [...split.fit, ...split.validation]; an image the trunk could not read has none.
 */
export function featuresFromTrunk(
  run: TransferRun,
  readings: TrunkReadings,
  toPooled: tfl.LayersModel,
): (rows: readonly number[]) => Promise<(Float32Array | undefined)[]> {
  const nFit = run.split.fit.length;
  const fitRow = new Map(readings.fit.kept.map((k, r) => [k, r]));
  const valRow = new Map((readings.validation?.kept ?? []).map((k, r) => [k, r]));
  return async (rows) => {
    const out: (Float32Array | undefined)[] = new Array(rows.length);
    const pick = async (from: tf.Tensor | undefined, at: { j: number; r: number }[]) => {
      if (!from || at.length === 0) return;
      for (let start = 0; start < at.length; start += 256) {
        const chunk = at.slice(start, start + 256);
        const pooled = tf.tidy(() =>
          predictTensor(
            toPooled,
            tf.gather(from, tf.tensor1d(Int32Array.from(chunk.map((a) => a.r)), "int32")),
          ),
        );
        const values = (await pooled.data()) as Float32Array;
        const channels = pooled.shape[1] ?? 0;
        pooled.dispose();
        chunk.forEach((a, b) => {
          out[a.j] = values.slice(b * channels, (b + 1) * channels);
        });
      }
    };
    const fitAt: { j: number; r: number }[] = [];
    const valAt: { j: number; r: number }[] = [];
    rows.forEach((row, j) => {
      const r = row < nFit ? fitRow.get(row) : valRow.get(row - nFit);
      if (r !== undefined) (row < nFit ? fitAt : valAt).push({ j, r });
    });
    await pick(readings.fit.plain, fitAt);
    await pick(readings.validation?.plain, valAt);
    return out;
  };
}
