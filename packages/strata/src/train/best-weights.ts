import type * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/** What BestWeights remembers, e.g. to put in a checkpoint. `weights` are the best epoch's, if any. */
export interface BestWeightsState {
  readonly epoch: number;
  readonly loss: number;
  readonly sinceBest: number;
  readonly weights?: readonly tf.Tensor[];
}

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

  /** Starts from a saved state (copying its tensors), e.g. when a fit resumes. */
  static from(state: BestWeightsState): BestWeights {
    const best = new BestWeights();
    best.loss = state.loss;
    best.epoch = state.epoch;
    best.sinceBest = state.sinceBest;
    best.weights = state.weights?.map((w) => w.clone());
    return best;
  }

  /** The current state; its tensors belong to this object (valid until the next update or dispose). */
  get state(): BestWeightsState {
    return { epoch: this.epoch, loss: this.loss, sinceBest: this.sinceBest, weights: this.weights };
  }

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
