import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { fusedAdam } from "tfjs-backend-torch/optimizers";
import { BestWeights, type BestWeightsState } from "./best-weights.js";
import type { EpochLogs, TrainListener } from "./listener.js";
import { type LrSchedule, learningRateAt } from "./schedule.js";

/** One batch: x [n, …] and y [n, 1] (binary 0/1) or [n, classes] (one-hot). The loop disposes both. */
export interface TensorBatch {
  readonly x: tf.Tensor;
  readonly y: tf.Tensor;
}

/** Where batches come from, epoch after epoch (e.g. images decoded and augmented on the fly). */
export interface BatchSource {
  readonly samples: number;
  readonly batchesPerEpoch: number;
  /** The batches of one epoch (0-based), in that epoch's order. */
  batches(epoch: number): AsyncIterable<TensorBatch>;
}

export interface BatchTrainConfig {
  readonly epochs: number;
  readonly learningRate: number;
  readonly schedule: LrSchedule;
  /** Epochs without a lower validation loss before stopping; 0 disables early stopping. */
  readonly patience: number;
  /** Continue a fit from this state (see `checkpoint`) instead of starting at epoch 0. */
  readonly resume?: TrainingState;
  /**
   * Called after each epoch, before the listener, with everything needed to resume after it
   * (e.g. to write a checkpoint). The state's tensors are only valid during the call.
   */
  readonly checkpoint?: (state: TrainingState, model: tfl.LayersModel) => Promise<void>;
  /**
   * Called before each epoch (0-based), e.g. to reseed the random draws of dropout from
   * (seed, epoch), so that a resumed fit continues exactly as an uninterrupted one would.
   */
  readonly onEpochStart?: (epoch: number) => void;
}

/** A fit between two epochs: what a checkpoint holds. */
export interface TrainingState {
  /** Epochs completed. */
  readonly epoch: number;
  readonly history: readonly EpochLogs[];
  /** Training seconds so far (over every run of this fit). */
  readonly seconds: number;
  readonly stoppedEarly: boolean;
  /** The model's weights (`model.getWeights()` order). */
  readonly weights: readonly tf.Tensor[];
  /** The optimizer's state (`optimizer.getWeights()`: iterations, then Adam's moments). */
  readonly optimizer: readonly { name: string; tensor: tf.Tensor }[];
  readonly best: BestWeightsState;
}

export interface BatchTrainResult {
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly history: EpochLogs[];
  readonly seconds: number;
}

/**
 * Trains a compiled-here classifier on streamed batches (the counterpart of fitNetwork for data
 * that does not fit in memory): Adam with a per-step learning-rate schedule, validation loss and
 * accuracy after each epoch, early stopping that restores the best epoch's weights.
 */
export async function fitBatches(
  model: tfl.LayersModel,
  train: BatchSource,
  validation: BatchSource | undefined,
  config: BatchTrainConfig,
  listener: TrainListener = {},
): Promise<BatchTrainResult> {
  const binary = (model.outputs[0].shape[1] ?? 1) === 1;
  const optimizer = fusedAdam(config.learningRate);
  model.compile({
    optimizer,
    loss: binary ? "binaryCrossentropy" : "categoricalCrossentropy",
    metrics: ["accuracy"],
  });
  const resume = config.resume;
  listener.onTrainStart?.({
    epochs: config.epochs,
    batchesPerEpoch: train.batchesPerEpoch,
    samples: train.samples,
    initialEpoch: resume?.epoch ?? 0,
  });
  const history: EpochLogs[] = [...(resume?.history ?? [])];
  const started = performance.now() - 1000 * (resume?.seconds ?? 0);
  const best = resume ? BestWeights.from(resume.best) : new BestWeights();
  let stoppedEarly = resume?.stoppedEarly ?? false;
  try {
    if (resume) {
      model.setWeights([...resume.weights]);
      // The moments become variables sharing the given tensors' data; the caller still owns those.
      await optimizer.setWeights([...resume.optimizer]);
    }
    for (let epoch = resume?.epoch ?? 0; epoch < config.epochs && !stoppedEarly; epoch++) {
      config.onEpochStart?.(epoch);
      const epochStart = performance.now();
      let step = 0;
      let lossSum = 0;
      let accSum = 0;
      let seen = 0;
      for await (const batch of train.batches(epoch)) {
        optimizer.setLearningRate(
          learningRateAt(
            config.schedule,
            config.learningRate,
            epoch,
            (epoch + step / train.batchesPerEpoch) / config.epochs,
            config.epochs,
          ),
        );
        const n = batch.x.shape[0];
        const [loss, acc] = (await model.trainOnBatch(batch.x, batch.y)) as number[];
        tf.dispose([batch.x, batch.y]);
        lossSum += loss * n;
        accSum += acc * n;
        seen += n;
        step++;
        listener.onBatchEnd?.(step, train.batchesPerEpoch, { loss, accuracy: acc });
      }
      const val = validation ? await evaluateBatches(model, validation, epoch) : undefined;
      const improved = best.update(model, val?.loss ?? lossSum / seen, epoch + 1);
      const logs: EpochLogs = {
        epoch: epoch + 1,
        epochs: config.epochs,
        loss: lossSum / seen,
        accuracy: accSum / seen,
        valLoss: val?.loss,
        valAccuracy: val?.accuracy,
        seconds: (performance.now() - epochStart) / 1000,
        improved,
      };
      history.push(logs);
      stoppedEarly = validation !== undefined && config.patience > 0 && best.sinceBest >= config.patience;
      if (config.checkpoint) {
        const optimizerWeights = await optimizer.getWeights();
        try {
          await config.checkpoint(
            {
              epoch: epoch + 1,
              history,
              seconds: (performance.now() - started) / 1000,
              stoppedEarly,
              weights: model.getWeights(),
              optimizer: optimizerWeights,
              best: best.state,
            },
            model,
          );
        } finally {
          optimizerWeights[0].tensor.dispose(); // the iteration count, made by getWeights; the rest are the moments
        }
      }
      listener.onEpochEnd?.(logs);
    }
    if (validation) best.restore(model);
  } finally {
    // Also when a batch source, a checkpoint or a listener throws: no tensors are left behind.
    best.dispose();
    optimizer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const bestEpoch = validation ? best.epoch || history.length : history.length;
  listener.onTrainEnd?.({ epochsRun: history.length, bestEpoch, stoppedEarly, seconds });
  return { epochsRun: history.length, bestEpoch, stoppedEarly, history, seconds };
}

/** Mean loss and accuracy over a source's batches (weighted by batch size). */
export async function evaluateBatches(
  model: tfl.LayersModel,
  source: BatchSource,
  epoch = 0,
): Promise<{ loss: number; accuracy: number }> {
  let loss = 0;
  let accuracy = 0;
  let seen = 0;
  for await (const batch of source.batches(epoch)) {
    const n = batch.x.shape[0];
    const out = model.evaluate(batch.x, batch.y, { batchSize: n }) as tf.Scalar[];
    const [l, a] = await Promise.all(out.map((t) => t.data()));
    tf.dispose([...out, batch.x, batch.y]);
    loss += l[0] * n;
    accuracy += a[0] * n;
    seen += n;
  }
  return { loss: loss / seen, accuracy: accuracy / seen };
}
