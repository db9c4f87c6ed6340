import type * as tfl from "@tensorflow/tfjs-layers";

/**
 * Keeps every batch-norm layer of `model` in inference mode while it trains, whether frozen or
 * not: Keras's advice for fine-tuning (`base_model(x, training=False)`), since the statistics of
 * a new dataset's small batches would shift the features the head was trained on. Their scale
 * and offset still train when unfrozen (train/frozen-batch-norm.ts and the native step read
 * `inferenceMode`).
 */
export function keepBatchNormInference(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === "BatchNormalization")
      (layer as unknown as { inferenceMode: boolean }).inferenceMode = true;
  }
}
