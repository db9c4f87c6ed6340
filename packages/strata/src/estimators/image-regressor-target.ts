import * as tf from "@tensorflow/tfjs-core";
import { imageSource } from "../images/batch-source.js";
import type { LossChoice } from "../train/step.js";
import type { ImageTarget } from "./transfer-run.js";

/**
 * A regressor's target: each image's number (`values`, already standardised), as [n, 1]
 * tensors. Streamed images carry their own row as their label (`"0"`, `"1"`, …), so the batches
 * of images/batch-source.ts, which give label indices, give each image's row.
 */
export function numberTarget(files: readonly string[], values: Float32Array, loss: LossChoice): ImageTarget {
  const tensor = (rows: ArrayLike<number>) =>
    tf.tensor2d(
      Float32Array.from(rows, (i) => values[i]),
      [rows.length, 1],
    );
  return {
    outputs: "regression",
    loss,
    tensor,
    images: (rows, input, reading) =>
      imageSource(
        rows.map((i) => ({ file: files[i], label: String(i) })),
        rows.map(String),
        input,
        reading,
        (labels) => tensor(Array.from(labels, (k) => rows[k])),
      ),
  };
}
