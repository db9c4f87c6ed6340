import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { fusedAdam } from "tfjs-backend-torch/optimizers";
import { BestWeights } from "./best-weights.js";
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
  /** Epoch to start from (resuming a fit), 0-based. */
  readonly initialEpoch?: number;
  /** Called after each epoch with whether it was the best so far, e.g. to write a checkpoint. */
  readonly onEpochEnd?: (logs: EpochLogs, model: tfl.LayersModel) => Promise<void>;
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
  listener.onTrainStart?.({
    epochs: config.epochs,
    batchesPerEpoch: train.batchesPerEpoch,
    samples: train.samples,
  });
  const history: EpochLogs[] = [];
  const started = performance.now();
  const best = new BestWeights();
  let stoppedEarly = false;
  for (let epoch = config.initialEpoch ?? 0; epoch < config.epochs; epoch++) {
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
    listener.onEpochEnd?.(logs);
    await config.onEpochEnd?.(logs, model);
    if (validation && config.patience > 0 && best.sinceBest >= config.patience) {
      stoppedEarly = true;
      break;
    }
  }
  if (validation) best.restore(model);
  best.dispose();
  optimizer.dispose();
  const seconds = (performance.now() - started) / 1000;
  const bestEpoch = validation ? best.epoch || history.length : (config.initialEpoch ?? 0) + history.length;
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
