import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import type { FusedAdamOptimizer } from "strata-ml-torch/optimizers";
import type { BatchSource, TensorBatch } from "./sources.js";

/** Per-row loss and accuracy of a classifier's output: y and predictions of shape [n, 1] or [n, classes]. */
export interface Objective {
  readonly loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
  readonly accuracy: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
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

/** Variables that one optimizer updates (one group per learning rate). */
export interface ParamGroup {
  readonly variables: readonly tf.Variable[];
  readonly optimizer: FusedAdamOptimizer;
}

/** One step's mean loss (regularisation included) and accuracy; the caller disposes both. */
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
        accuracy = tf.keep(tf.mean(objective.accuracy(batch.y, out)) as tf.Scalar);
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

/** Mean loss and accuracy over a source's batches in inference mode (weighted by batch size). */
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
      return [tf.mean(objective.loss(batch.y, out)), tf.mean(objective.accuracy(batch.y, out))];
    });
    const [lv, av] = await Promise.all([l.data(), a.data()]);
    tf.dispose([l, a, batch.x, batch.y, batch.weight].filter((t) => t !== undefined));
    loss += lv[0] * n;
    accuracy += av[0] * n;
    seen += n;
  }
  return { loss: loss / seen, accuracy: accuracy / seen };
}
