/** Metrics of one finished epoch. `val*` are present when a validation set is used. */
export interface EpochLogs {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** The training loss (TrainConfig's `loss`: cross-entropy, MSE or Huber). */
  readonly loss: number;
  /** NaN for a regression loss (MSE, Huber): numeric targets have no accuracy. */
  readonly accuracy: number;
  readonly valLoss?: number;
  /** NaN for a regression loss, like `accuracy`. */
  readonly valAccuracy?: number;
  readonly seconds: number;
  /** True when this epoch's weights are the best so far (lowest validation loss). */
  readonly improved: boolean;
}

/** What a callback may do at the end of an epoch, besides looking at its logs. */
export interface TrainControl {
  /**
   * Ends the fit after this epoch (returning "stop" from onEpochEnd does the same). With a
   * validation split the best epoch's weights are kept, as with early stopping; a transfer fit
   * skips its later phases.
   */
  stop(): void;
  /** Whether a callback has asked to stop at this epoch. */
  readonly stopping: boolean;
  /**
   * Writes the model as it is after this epoch to `dir` (replacing it atomically): a model
   * directory that loadClassifier reads and predicts with, as after a whole fit.
   */
  save(dir: string): Promise<void>;
}

/**
 * Receives training progress and may act on it (a Keras or fastai callback): every method is
 * optional; the fit waits for a promise one returns (async methods are fine). `onEpochEnd` may
 * stop the fit or save the model through `control`, or stop it by returning "stop". Give them
 * to fit as `callbacks` (several, called in order) or as the one `listener`; an error thrown by
 * one ends the fit. (The methods are typed as returning void so that any function fits.)
 */
export interface TrainListener {
  /** `initialEpoch`: epochs already done when a fit resumes from a checkpoint (absent: 0). */
  onTrainStart?(info: {
    epochs: number;
    batchesPerEpoch: number;
    samples: number;
    label?: string;
    initialEpoch?: number;
  }): void;
  /** Called after every batch, synchronously (progress bars); accuracy is NaN for a regression loss. */
  onBatchEnd?(batch: number, batchesPerEpoch: number, logs: { loss: number; accuracy: number }): void;
  /** Return "stop" (or a promise of it), or call control.stop(), to end the fit after this epoch. */
  onEpochEnd?(logs: EpochLogs, control: TrainControl): void;
  onTrainEnd?(summary: {
    epochsRun: number;
    bestEpoch: number;
    stoppedEarly: boolean;
    seconds: number;
  }): void;
}

/** A Keras-style callback: a TrainListener (every method optional), given to fit in `callbacks`. */
export type Callback = TrainListener;
