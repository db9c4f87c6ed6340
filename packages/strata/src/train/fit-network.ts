import type * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { fusedAdam } from "tfjs-backend-torch/optimizers";
import { BestWeights } from "./best-weights.js";
import type { EpochLogs, TrainListener } from "./listener.js";

export interface TrainConfig {
  /** Most epochs to run; early stopping may end sooner. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Epochs without a lower validation loss before stopping (Keras EarlyStopping); 0 disables it. */
  readonly patience: number;
  /** Loss weight per class index, e.g. from classWeights(); undefined weighs all classes 1. */
  readonly classWeight?: readonly number[];
}

/** Training data. Shapes: x [n, d]; y [n, 1] (binary 0/1) or [n, classes] (one-hot). */
export interface TrainData {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
  readonly validation?: { readonly x: tf.Tensor2D; readonly y: tf.Tensor2D };
}

export interface TrainResult {
  readonly epochsRun: number;
  /** The epoch whose weights the model holds at the end (1-based). */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly history: EpochLogs[];
  readonly seconds: number;
}

/**
 * Compiles and fits a classifier network with Adam. With validation data, keeps the weights of
 * the epoch with the lowest validation loss (Keras' EarlyStopping(restore_best_weights=True)).
 * The caller owns the data tensors; everything this creates is disposed before it returns.
 */
export async function fitNetwork(
  model: tfl.LayersModel,
  data: TrainData,
  config: TrainConfig,
  listener: TrainListener = {},
): Promise<TrainResult> {
  const binary = (data.y.shape[1] ?? 1) === 1;
  model.compile({
    // Adam whose update is one fused kernel per variable on the torch backend, plain Adam elsewhere.
    optimizer: fusedAdam(config.learningRate),
    loss: binary ? "binaryCrossentropy" : "categoricalCrossentropy",
    metrics: ["accuracy"],
  });
  const samples = data.x.shape[0];
  const batchesPerEpoch = Math.ceil(samples / config.batchSize);
  listener.onTrainStart?.({ epochs: config.epochs, batchesPerEpoch, samples });

  const history: EpochLogs[] = [];
  const started = performance.now();
  let epochStarted = started;
  const best = new BestWeights();
  let stoppedEarly = false;

  await model.fit(data.x, data.y, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    shuffle: true,
    validationData: data.validation ? [data.validation.x, data.validation.y] : undefined,
    classWeight: config.classWeight
      ? Object.fromEntries(config.classWeight.map((w, i) => [i, w]))
      : undefined,
    verbose: 0,
    yieldEvery: "never",
    callbacks: {
      onEpochBegin: async () => {
        epochStarted = performance.now();
      },
      onBatchEnd: async (batch, logs) => {
        listener.onBatchEnd?.(batch + 1, batchesPerEpoch, {
          loss: logs?.loss ?? Number.NaN,
          accuracy: logs?.acc ?? Number.NaN,
        });
      },
      onEpochEnd: async (epoch, logs) => {
        const improved = best.update(model, logs?.val_loss ?? logs?.loss ?? Number.NaN, epoch + 1);
        const entry: EpochLogs = {
          epoch: epoch + 1,
          epochs: config.epochs,
          loss: logs?.loss ?? Number.NaN,
          accuracy: logs?.acc ?? Number.NaN,
          valLoss: logs?.val_loss,
          valAccuracy: logs?.val_acc,
          seconds: (performance.now() - epochStarted) / 1000,
          improved,
        };
        history.push(entry);
        listener.onEpochEnd?.(entry);
        if (data.validation && config.patience > 0 && best.sinceBest >= config.patience) {
          stoppedEarly = true;
          model.stopTraining = true;
        }
      },
    },
  });

  if (data.validation) best.restore(model);
  best.dispose();
  disposeOptimizer(model);
  const result: TrainResult = {
    epochsRun: history.length,
    bestEpoch: data.validation ? best.epoch || history.length : history.length,
    stoppedEarly,
    history,
    seconds: (performance.now() - started) / 1000,
  };
  listener.onTrainEnd?.({
    epochsRun: result.epochsRun,
    bestEpoch: result.bestEpoch,
    stoppedEarly,
    seconds: result.seconds,
  });
  return result;
}

/** The optimizer's slot variables (Adam's moments) outlive fit unless disposed. */
function disposeOptimizer(model: tfl.LayersModel): void {
  model.optimizer?.dispose();
}

/** Weights inversely proportional to class frequency (scikit-learn's class_weight="balanced"). */
export function balancedClassWeights(yIndex: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < yIndex.length; i++) counts[yIndex[i]]++;
  return counts.map((c) => (c === 0 ? 0 : yIndex.length / (classes * c)));
}
