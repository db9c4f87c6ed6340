import type * as tf from "@tensorflow/tfjs-core";
import { type LayerWeight, readWeights, writeWeights } from "./weights.js";

/** What BestWeights remembers, e.g. to put in a checkpoint. `weights` are the best epoch's, if any. */
export interface BestWeightsState {
  readonly epoch: number;
  readonly loss: number;
  readonly sinceBest: number;
  readonly weights?: readonly tf.Tensor[];
}

/**
 * Early stopping's memory (Keras' EarlyStopping(restore_best_weights=True)): a copy of the
 * watched weights at the epoch with the lowest monitored loss, and how many epochs have passed
 * since. It watches the weights a fit can change (see `mutableWeights`), so a frozen backbone
 * is never copied.
 */
export class BestWeights {
  private loss = Number.POSITIVE_INFINITY;
  private copy?: tf.Tensor[];
  /** The best epoch so far (1-based); 0 before any. */
  epoch = 0;
  /** Epochs since the best one. */
  sinceBest = 0;

  constructor(private readonly watched: readonly LayerWeight[]) {}

  /** Starts from a saved state (copying its tensors), e.g. when a fit resumes. */
  static from(watched: readonly LayerWeight[], state: BestWeightsState): BestWeights {
    const best = new BestWeights(watched);
    if (state.weights && state.weights.length !== watched.length)
      throw new Error(
        `the saved best epoch has ${state.weights.length} weights, the model ${watched.length}`,
      );
    best.loss = state.loss;
    best.epoch = state.epoch;
    best.sinceBest = state.sinceBest;
    best.copy = state.weights?.map((w) => w.clone());
    return best;
  }

  /** The current state; its tensors belong to this object (valid until the next update or dispose). */
  get state(): BestWeightsState {
    return { epoch: this.epoch, loss: this.loss, sinceBest: this.sinceBest, weights: this.copy };
  }

  /** Records an epoch's loss; keeps a copy of the weights if it is the best so far, and says so. */
  update(loss: number, epoch: number): boolean {
    if (this.copy !== undefined && !(loss < this.loss)) {
      this.sinceBest++;
      return false;
    }
    this.dispose();
    this.loss = loss;
    this.epoch = epoch;
    this.copy = readWeights(this.watched);
    this.sinceBest = 0;
    return true;
  }

  /** Puts the best weights back. */
  restore(): void {
    if (this.copy) writeWeights(this.watched, this.copy);
  }

  dispose(): void {
    for (const w of this.copy ?? []) w.dispose();
    this.copy = undefined;
  }
}
