import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../../errors.js";

/** One weight array read from a file, with where it came from (for messages). */
export interface FileWeight {
  /** The name or path of the array in the file, e.g. "conv1/uniform1" or "layers/dense/vars/0". */
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A model layer and the file arrays for it, in the layer's weight order. */
export interface LayerWeights {
  readonly layer: tfl.layers.Layer;
  readonly weights: readonly FileWeight[];
}

/** Checks every layer's arrays, then sets them all (so a mismatch leaves the model unchanged). */
export function applyLayerWeights(pairs: readonly LayerWeights[], label: string): void {
  for (const p of pairs) checkLayerWeights(p.layer, p.weights, label);
  for (const p of pairs) assignLayerWeights(p.layer, p.weights, label);
}

/**
 * Sets a layer's weights from file arrays matched by position (as Keras's load-by-name does),
 * after checking them with {@link checkLayerWeights}; the layer is left unchanged on a mismatch.
 */
export function assignLayerWeights(
  layer: tfl.layers.Layer,
  arrays: readonly FileWeight[],
  label: string,
): void {
  checkLayerWeights(layer, arrays, label);
  // The model's shapes: a scalar stored as [] goes into a [1] weight.
  const tensors = arrays.map((a, i) => tf.tensor(a.values, layer.weights[i].shape as number[], "float32"));
  try {
    layer.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
}

/** Throws a StrataError naming the layer, the weight and both shapes when the arrays do not fit. */
export function checkLayerWeights(
  layer: tfl.layers.Layer,
  arrays: readonly FileWeight[],
  label: string,
): void {
  const targets = layer.weights;
  if (targets.length !== arrays.length) {
    throw new StrataError(
      `${label}: layer "${layer.name}" has ${targets.length} weight(s) in the model ` +
        `(${targets.map((w) => w.originalName).join(", ") || "none"}) but ${arrays.length} in the file ` +
        `(${arrays.map((a) => a.name).join(", ") || "none"})`,
    );
  }
  targets.forEach((w, i) => {
    const got = arrays[i].shape;
    if (!sameShape(w.shape as number[], got)) {
      throw new StrataError(
        `${label}: layer "${layer.name}" weight "${w.originalName}" has shape [${w.shape.join(",")}] in the ` +
          `model but [${got.join(",")}] in the file ("${arrays[i].name}")`,
      );
    }
  });
}

/** Shapes equal; a scalar stored as [] matches a weight of shape [1] and vice versa. */
function sameShape(a: readonly number[], b: readonly number[]): boolean {
  const size = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  if (a.length === 0 || b.length === 0) return size(a) === size(b) && size(a) === 1;
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The number of values in a shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}
