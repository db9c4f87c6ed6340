import * as tf from "@tensorflow/tfjs-core";
import { checkFiniteProba } from "../data/row-error.js";
import { sortLabels } from "../data/values.js";
import { StrataError } from "../errors.js";
import type { EpochLogs } from "../train/listener.js";
import { argmaxRows, type Matrix, matrix } from "../util/matrix.js";
import type { FitSummary } from "./estimator.js";

/** The classes of a fit: the given list, or the sorted labels of `y`; every label of `y` must be among them. */
export function resolveClasses(y: readonly string[], given?: readonly string[]): string[] {
  const classes = given ? [...given] : sortLabels(y);
  if (classes.length < 2)
    throw new StrataError(`a classifier needs at least two classes, got: ${classes.join(", ")}`);
  return classes;
}

/** Each label's index in `classes`. */
export function encodeLabels(y: readonly string[], classes: readonly string[]): Int32Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  return Int32Array.from(y, (label) => {
    const i = index.get(label);
    if (i === undefined)
      throw new StrataError(`label "${label}" is not one of the classes: ${classes.join(", ")}`);
    return i;
  });
}

/**
 * The most probable class name of each row of `proba` (shape [rows, classes.length]). A label
 * for a row of NaN probabilities would be a silent wrong answer: a RowError names the row.
 */
export function decodeArgmax(proba: Matrix, classes: readonly string[]): string[] {
  checkFiniteProba(proba);
  return Array.from(argmaxRows(proba), (i) => classes[i]);
}

/**
 * Class probabilities from a classifier network's outputs (row after row): a softmax's rows as
 * they are, or for two classes one sigmoid output P(classes[1]) expanded to [1 - p, p].
 */
export function probaFromOutputs(values: Float32Array, classes: number): Matrix {
  if (classes > 2) return matrix(values.length / classes, classes, values);
  const proba = matrix(values.length, 2);
  values.forEach((p, i) => {
    proba.data[2 * i] = 1 - p;
    proba.data[2 * i + 1] = p;
  });
  return proba;
}

/** Loss weights inversely proportional to class frequency (scikit-learn's class_weight="balanced"). */
export function balancedClassWeights(yIndex: ArrayLike<number>, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < yIndex.length; i++) counts[yIndex[i]]++;
  return counts.map((c) => (c === 0 ? 0 : yIndex.length / (classes * c)));
}

/** Class indices as a training target. Shape: [n, 1] of 0/1 for two classes (one sigmoid output), else one-hot [n, classes]. */
export function targetTensor(yIndex: ArrayLike<number>, classes: number): tf.Tensor2D {
  if (classes === 2) return tf.tensor2d(Float32Array.from(yIndex), [yIndex.length, 1]);
  return tf.tidy(
    () => tf.cast(tf.oneHot(tf.tensor1d(Array.from(yIndex), "int32"), classes), "float32") as tf.Tensor2D,
  );
}

/** What a training loop reports, as an estimator keeps it (and saves it in strata.json). */
export function summarizeFit(result: {
  epochsRun: number;
  bestEpoch: number;
  seconds: number;
  history: readonly EpochLogs[];
}): FitSummary {
  return {
    epochsRun: result.epochsRun,
    bestEpoch: result.bestEpoch,
    seconds: result.seconds,
    history: result.history.map((h) => ({
      loss: h.loss,
      accuracy: h.accuracy,
      valLoss: h.valLoss,
      valAccuracy: h.valAccuracy,
    })),
  };
}
