/** Metrics of one finished epoch. `val*` are present when a validation set is used. */
export interface EpochLogs {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly seconds: number;
  /** True when this epoch's weights are the best so far (lowest validation loss). */
  readonly improved: boolean;
}

/** Receives training progress; every method is optional. Fits call it synchronously. */
export interface TrainListener {
  /** `initialEpoch`: epochs already done when a fit resumes from a checkpoint (absent: 0). */
  onTrainStart?(info: {
    epochs: number;
    batchesPerEpoch: number;
    samples: number;
    label?: string;
    initialEpoch?: number;
  }): void;
  onBatchEnd?(batch: number, batchesPerEpoch: number, logs: { loss: number; accuracy: number }): void;
  onEpochEnd?(logs: EpochLogs): void;
  onTrainEnd?(summary: {
    epochsRun: number;
    bestEpoch: number;
    stoppedEarly: boolean;
    seconds: number;
  }): void;
}
