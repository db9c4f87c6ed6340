import type * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/** A layer of a tfjs-layers model (the Layer class is not exported under a type name). */
export type Layer = tfl.LayersModel["layers"][number];
/** A layer's weight. */
export type LayerWeight = tfl.LayerVariable;

/**
 * The leaf layers of a model that training can change, nested models flattened, in order. A
 * layer is frozen (left out) when its own `trainable` is false or when a model containing it
 * is: what Keras calls `trainable = false`.
 */
export function unfrozenLayers(model: tfl.LayersModel): Layer[] {
  const out: Layer[] = [];
  const walk = (layer: Layer) => {
    if (!layer.trainable) return;
    const inner = (layer as Partial<tfl.LayersModel>).layers;
    if (inner) for (const l of inner) walk(l);
    else out.push(layer);
  };
  for (const layer of model.layers) walk(layer);
  return out;
}

/**
 * Every weight a fit can change: the trainable and non-trainable weights (batch-norm moving
 * statistics) of unfrozen layers, in `model.weights` order. Best-epoch copies and checkpoints
 * hold these only, so a frozen backbone is never copied.
 */
export function mutableWeights(model: tfl.LayersModel): LayerWeight[] {
  const owned = new Set(unfrozenLayers(model).flatMap((l) => l.weights));
  return model.weights.filter((w) => owned.has(w));
}

/** The current values of `weights` (new tensors, owned by the caller). */
export function readWeights(weights: readonly LayerWeight[]): tf.Tensor[] {
  return weights.map((w) => w.read().clone());
}

/** Writes `values` into `weights`, one to one. */
export function writeWeights(weights: readonly LayerWeight[], values: readonly tf.Tensor[]): void {
  if (values.length !== weights.length)
    throw new Error(`expected ${weights.length} weight tensors, got ${values.length}`);
  weights.forEach((w, i) => {
    w.write(values[i]);
  });
}
