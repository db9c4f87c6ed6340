import type * as tfl from "@tensorflow/tfjs-layers";
import type { TrainListener } from "../train/listener.js";
import type { BatchSource } from "../train/sources.js";
import type { FittedState } from "./base.js";
import type { FitOptions } from "./estimator.js";

/** fit's options for network classifiers: those of every classifier, plus checkpoints. */
export interface NetworkFitOptions extends FitOptions {
  /**
   * Folder for checkpoints, written after every epoch: `last/` holds the state to resume from
   * (weights, optimizer moments, early-stopping memory, history), `best/` a model directory of
   * the best epoch so far (loadable and usable for prediction like any saved model).
   */
  readonly checkpoint?: string;
  /**
   * Continue from the checkpoint's `last/` when it holds one (a fit that was interrupted): the
   * result is the same as an uninterrupted fit's. It must have been written for the same
   * settings and training data (a StrataError lists what differs). Without a checkpoint to
   * resume, the fit starts afresh.
   */
  readonly resume?: boolean;
  /**
   * Called as the fit goes, after `listener`, in order (Keras's callbacks): each may stop the
   * fit or save the model after any epoch (see TrainListener, EarlyStopping, ModelCheckpoint).
   */
  readonly callbacks?: readonly TrainListener[];
}

/** What a subclass prepares for one fit, from the training rows and their validation split. */
export interface PreparedFit<E> {
  readonly train: BatchSource;
  readonly validation?: BatchSource;
  /** Fitted state besides the network (e.g. the preprocessing pipeline), saved with it. */
  readonly extra: E;
  /** Builds the untrained network; runs in the fit's seeded scope, since initialisers draw from it. */
  build(): tfl.LayersModel;
  /** A fingerprint of the training data, so that a checkpoint of other data is not resumed. */
  readonly dataHash: string;
  /** Frees what the sources hold (tensors); called however the fit ends. */
  dispose(): void;
}

/** A fitted network classifier's state. */
export interface NetworkState<E> extends FittedState {
  readonly network: tfl.LayersModel;
  readonly extra: E;
}

/** The rows of a fit and of its validation split (indices into X). */
export interface FitSplit {
  readonly fit: readonly number[];
  readonly validation: readonly number[];
}
