import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { FusedAdamOptimizer } from "strata-ml-torch/optimizers";
import { StrataError } from "../errors.js";
import type { BatchSource, TensorBatch } from "./sources.js";

/**
 * Per-row loss and accuracy of a network's output: y and predictions of shape [n, 1] or
 * [n, classes] (a classifier), or [n, outputs] (numeric targets, which have no accuracy).
 */
export interface Objective {
  readonly loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
  /** Absent for numeric targets: the step and evaluation then report accuracy NaN. */
  readonly accuracy?: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
}

/**
 * What a fit minimises: cross-entropy (a classifier: a softmax or a one-unit sigmoid, targets
 * one-hot or 0/1), or for numeric targets [rows, outputs] on a linear output the mean squared
 * error or the Huber loss (quadratic within `huberDelta` of the target, linear beyond it).
 */
export type TrainLoss = "crossentropy" | "mse" | "huber";

/** The loss of a fit and its parameter (TrainConfig's `loss` and `huberDelta`). */
export interface LossChoice {
  /** Default "crossentropy". */
  readonly loss?: TrainLoss;
  /** Huber's delta (loss "huber" only); default 1. */
  readonly huberDelta?: number;
}

const LOSSES: readonly TrainLoss[] = ["crossentropy", "mse", "huber"];

/**
 * Refuses a loss choice that a fit of `model` on targets `y` (when known) cannot use: an unknown
 * loss, a huberDelta that is not a positive number or comes without the huber loss, or numeric
 * targets whose shape is not the network's output [rows, outputs].
 */
export function checkLossChoice(model: tfl.LayersModel, choice: LossChoice, y?: tf.Tensor): void {
  const loss = choice.loss ?? "crossentropy";
  if (!LOSSES.includes(loss))
    throw new StrataError(`loss: expected "crossentropy", "mse" or "huber", got ${JSON.stringify(loss)}`);
  const delta = choice.huberDelta;
  if (delta !== undefined && loss !== "huber")
    throw new StrataError(`huberDelta: only for loss "huber" (the loss is "${loss}")`);
  if (delta !== undefined && !(Number.isFinite(delta) && delta > 0))
    throw new StrataError(`huberDelta: expected a positive number, got ${delta}`);
  if (loss === "crossentropy") return;
  const shape = model.outputs[0].shape;
  if (shape.length !== 2)
    throw new StrataError(
      `loss "${loss}": the network's output must be [rows, outputs], not [${shape.join(", ")}]`,
    );
  if (y && (y.rank !== 2 || y.shape[1] !== shape[1]))
    throw new StrataError(
      `loss "${loss}": expected targets of shape [rows, ${shape[1]}] (the network's outputs), got [${y.shape.join(", ")}]`,
    );
}

/**
 * Binary cross-entropy on one sigmoid output, or categorical cross-entropy on a softmax: the
 * functions tfjs-layers' `compile({ loss, metrics: ["accuracy"] })` picks, so a fit here matches one there.
 */
export function classifierObjective(model: tfl.LayersModel): Objective {
  const binary = (model.outputs[0].shape[1] ?? 1) === 1;
  return binary
    ? { loss: tfl.metrics.binaryCrossentropy, accuracy: tfl.metrics.binaryAccuracy }
    : { loss: tfl.metrics.categoricalCrossentropy, accuracy: tfl.metrics.categoricalAccuracy };
}

/**
 * The objective of `choice`: the classifier's cross-entropy, or the squared error or Huber
 * loss averaged over the outputs (so the mean over rows is the mean over every value, as in
 * torch's mse_loss and huber_loss, and a row weight scales a whole row).
 */
export function lossObjective(model: tfl.LayersModel, choice: LossChoice = {}): Objective {
  const loss = choice.loss ?? "crossentropy";
  if (loss === "crossentropy") return classifierObjective(model);
  if (loss === "mse") return { loss: (y, out) => tf.mean(tf.squaredDifference(out, y), -1) };
  const delta = choice.huberDelta ?? 1;
  return {
    loss: (y, out) =>
      tf.tidy(() => {
        const abs = tf.abs(tf.sub(out, y));
        const quadratic = tf.minimum(abs, delta);
        const linear = tf.sub(abs, quadratic);
        return tf.mean(tf.add(tf.mul(0.5, tf.square(quadratic)), tf.mul(delta, linear)), -1);
      }),
  };
}

/** Variables that one optimizer updates (one group per learning rate). */
export interface ParamGroup {
  readonly variables: readonly tf.Variable[];
  readonly optimizer: FusedAdamOptimizer;
}

/** One step's mean loss (regularisation included) and accuracy (NaN without one); the caller disposes both. */
export interface StepResult {
  readonly loss: tf.Scalar;
  readonly accuracy: tf.Scalar;
}

/**
 * The training step: forward in training mode (dropout on, batch norm on batch statistics),
 * the row-weighted mean loss plus the layers' regularisation penalties (as tfjs-layers' own
 * train function computes it), gradients, and each group's optimizer update.
 */
export function makeTrainStep(
  model: tfl.LayersModel,
  objective: Objective,
  groups: readonly ParamGroup[],
): (batch: TensorBatch) => StepResult {
  const all = groups.flatMap((g) => g.variables);
  return (batch) =>
    tf.tidy(() => {
      let accuracy: tf.Scalar | undefined;
      const total = (): tf.Scalar => {
        const out = model.apply(batch.x, { training: true }) as tf.Tensor;
        let rows = objective.loss(batch.y, out);
        if (batch.weight) rows = tf.mul(rows, batch.weight);
        let loss = tf.mean(rows) as tf.Scalar;
        for (const penalty of model.calculateLosses()) loss = tf.add(loss, penalty);
        const correct = objective.accuracy?.(batch.y, out);
        accuracy = tf.keep(correct ? (tf.mean(correct) as tf.Scalar) : tf.scalar(Number.NaN));
        return loss;
      };
      if (groups.length === 1) {
        const loss = groups[0].optimizer.minimize(total, true, [...all]) as tf.Scalar;
        return { loss, accuracy: accuracy as unknown as tf.Scalar };
      }
      const { value, grads } = tf.variableGrads(total, [...all]);
      for (const g of groups) {
        g.optimizer.applyGradients(g.variables.map((v) => ({ name: v.name, tensor: grads[v.name] })));
      }
      return { loss: value, accuracy: accuracy as unknown as tf.Scalar };
    });
}

/** Mean loss and accuracy (NaN without one) over a source's batches in inference mode (weighted by batch size). */
export async function evaluateSource(
  model: tfl.LayersModel,
  source: BatchSource,
  objective: Objective = classifierObjective(model),
  epoch = 0,
): Promise<{ loss: number; accuracy: number }> {
  let loss = 0;
  let accuracy = 0;
  let seen = 0;
  for await (const batch of source.batches(epoch)) {
    const n = batch.x.shape[0];
    const [l, a] = tf.tidy(() => {
      const out = model.predict(batch.x, { batchSize: n }) as tf.Tensor;
      const correct = objective.accuracy?.(batch.y, out);
      return [tf.mean(objective.loss(batch.y, out)), correct ? tf.mean(correct) : tf.scalar(Number.NaN)];
    });
    const [lv, av] = await Promise.all([l.data(), a.data()]);
    tf.dispose([l, a, batch.x, batch.y, batch.weight].filter((t) => t !== undefined));
    loss += lv[0] * n;
    accuracy += av[0] * n;
    seen += n;
  }
  return { loss: loss / seen, accuracy: accuracy / seen };
}
