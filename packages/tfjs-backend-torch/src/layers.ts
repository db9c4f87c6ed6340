import { engine, getBackend, mul, ones, sub, type Tensor, tidy, zeros } from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { TORCH_BATCH_NORM_TRAIN } from "./kernels/norm.js";
import { BACKEND_NAME } from "./register.js";

/** A tfjs-layers weight, as BatchNormalization holds them. */
interface LayerVariable {
  read(): Tensor;
  write(value: Tensor): void;
}

/** The fields of tfjs-layers' BatchNormalization that its training step reads (public in JS). */
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: LayerVariable | null;
  beta: LayerVariable | null;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

type Call = (this: BatchNormLayer, inputs: Tensor | Tensor[], kwargs: { training?: boolean }) => Tensor;

let original: Call | undefined;

/** tfjs-layers' BatchNormalization.prototype (the class itself is not exported). */
function batchNormPrototype(): { call: Call } {
  return Object.getPrototypeOf(tfl.layers.batchNormalization({})) as { call: Call };
}

/**
 * Makes tfjs-layers' BatchNormalization train with one native kernel on the torch backend.
 *
 * Why: in training, tfjs-layers computes the batch statistics with tf.moments and normalises
 * with tf.batchNorm, and TF.js differentiates both op by op: about 30 kernels per layer and
 * step, each a full pass over the activations (most of a CNN step's time beyond its
 * convolutions). tfjs-layers has no hook for this, so its `call` is wrapped: in training, on
 * this backend, for float32 input normalised over every axis but the last (the default axis -1),
 * it runs TorchBatchNormTrain (statistics and output in one call) whose registered gradient is
 * one call too. The moving averages are updated exactly as tfjs-layers does, and the layer, its
 * weights and its saved format are unchanged; anything else goes to the original `call`.
 * Idempotent.
 */
export function useFusedBatchNorm(): void {
  if (original) return;
  const proto = batchNormPrototype();
  const base = proto.call;
  original = base;
  proto.call = function (this: BatchNormLayer, inputs, kwargs) {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    const rank = input.shape.length;
    const lastAxis = this.axis === -1 || this.axis === rank - 1;
    if (
      !kwargs?.training ||
      getBackend() !== BACKEND_NAME ||
      input.dtype !== "float32" ||
      !lastAxis ||
      rank < 2 ||
      (Array.isArray(inputs) && inputs.length !== 1)
    )
      return base.call(this, inputs, kwargs);
    return tidy(() => {
      // scale: false / center: false layers normalise with a unit scale / zero offset.
      const channels = input.shape[rank - 1];
      const scale = this.gamma?.read() ?? ones([channels]);
      const offset = this.beta?.read() ?? zeros([channels]);
      const [y, mean, variance] = engine().runKernel(
        TORCH_BATCH_NORM_TRAIN,
        { x: input, scale, offset },
        { epsilon: this.epsilon },
      ) as Tensor[];
      // tfjs-layers' update: moving -= (moving - batch) * (1 - momentum).
      for (const [moving, batch] of [
        [this.movingMean, mean],
        [this.movingVariance, variance],
      ] as const) {
        tidy(() => {
          const value = moving.read();
          moving.write(sub(value, mul(sub(value, batch), 1 - this.momentum)));
        });
      }
      return y;
    });
  };
}

/** Puts tfjs-layers' own BatchNormalization training back (for comparisons and tests). */
export function useLayersBatchNorm(): void {
  if (!original) return;
  batchNormPrototype().call = original;
  original = undefined;
}
