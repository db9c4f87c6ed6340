import type * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/**
 * Early stopping's memory (Keras' EarlyStopping(restore_best_weights=True)): a copy of the
 * weights of the epoch with the lowest monitored loss, and how many epochs have passed since.
 */
export class BestWeights {
  private loss = Number.POSITIVE_INFINITY;
  private weights?: tf.Tensor[];
  /** The best epoch so far (1-based); 0 before any. */
  epoch = 0;
  /** Epochs since the best one. */
  sinceBest = 0;

  /** Records an epoch's loss; keeps a copy of the weights if it is the best so far, and says so. */
  update(model: tfl.LayersModel, loss: number, epoch: number): boolean {
    if (this.weights !== undefined && !(loss < this.loss)) {
      this.sinceBest++;
      return false;
    }
    this.dispose();
    this.loss = loss;
    this.epoch = epoch;
    this.weights = model.getWeights().map((w) => w.clone());
    this.sinceBest = 0;
    return true;
  }

  /** Puts the best weights back into the model. */
  restore(model: tfl.LayersModel): void {
    if (this.weights) model.setWeights(this.weights);
  }

  dispose(): void {
    for (const w of this.weights ?? []) w.dispose();
    this.weights = undefined;
  }
}
