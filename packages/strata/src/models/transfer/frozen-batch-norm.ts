import type { Tensor } from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";

type Call = (inputs: Tensor | Tensor[], kwargs: Record<string, unknown>) => Tensor | Tensor[];
interface BatchNormPrototype {
  call: Call;
  /** Set once this module's wrapper is installed. */
  strataFrozenInference?: true;
}

/**
 * Keeps every batch-norm layer of `model` in inference mode while it trains, whether frozen or
 * not: Keras's advice for fine-tuning (`base_model(x, training=False)`), since the statistics of
 * a new dataset's small batches would shift the features the head was trained on. Their scale
 * and offset still train when unfrozen.
 */
export function keepBatchNormInference(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === "BatchNormalization")
      (layer as unknown as { inferenceMode: boolean }).inferenceMode = true;
  }
}

/**
 * Keras (2.1 and later) runs a BatchNormalization layer whose `trainable` is false in inference
 * mode even while the model trains: a frozen backbone keeps normalising with the statistics it
 * learned on ImageNet instead of the small batches of a new dataset. tfjs-layers follows only
 * the `training` flag, which one fit passes to every layer, so its `call` is wrapped (once) to
 * turn `training` off for frozen layers. It composes with any other wrapper (e.g. the torch
 * backend's fused batch norm), which it calls with the adjusted flag.
 */
export function useFrozenBatchNormInference(): void {
  const proto = Object.getPrototypeOf(tfl.layers.batchNormalization({})) as BatchNormPrototype;
  if (proto.strataFrozenInference) return;
  const inner = proto.call;
  proto.call = function (this: { trainable: boolean; inferenceMode?: boolean }, inputs, kwargs) {
    const frozen = kwargs?.training && (!this.trainable || this.inferenceMode === true);
    return inner.call(this, inputs, frozen ? { ...kwargs, training: false } : kwargs);
  };
  proto.strataFrozenInference = true;
}
