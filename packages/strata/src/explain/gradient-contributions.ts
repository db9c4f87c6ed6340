import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { useBackend } from "../backend.js";
import { type ColumnSpec, namingPlainRows, type TableData, tableFrame } from "../data/plain.js";
import type { PreprocessState, TabularPreprocessor } from "../data/preprocess.js";
import type { DenseClassifier } from "../estimators/dense.js";
import type { LogisticRegression } from "../estimators/logistic.js";
import { encodedColumns, sumByColumn } from "./encoded-columns.js";
import { IG_STEPS, integratedGradients, type OutputFunction } from "./integrated-gradients.js";
import type { ContributionOutput, RowContributions } from "./types.js";

/** What integrated gradients needs of a table model: its preprocessing and the columns it takes. */
export interface GradientModel {
  readonly preprocessor: TabularPreprocessor;
  readonly inputColumns: ColumnSpec[];
}

/** The outputs a forward gives and how to read them. */
export interface GradientOutputs {
  /** One name per output of the forward (classes, or PREDICTION_OUTPUT). */
  readonly classes: readonly string[];
  readonly output: ContributionOutput;
  /** What the outputs are, for the method's words ("the class probabilities"). */
  readonly what: string;
  /** A regressor's output is standardised: values × std, bias × std + mean are in the target's units. */
  readonly scale?: { readonly mean: number; readonly std: number };
}

/**
 * The baseline in the model's input space: every numeric column at its training mean (0 once
 * standardised), or at its training median when the model does not standardise (it keeps no
 * mean then); every one-hot column off (no category).
 */
export function tableBaseline(
  state: PreprocessState,
  width: number,
): { baseline: Float32Array; from: string } {
  const baseline = new Float32Array(width);
  if (!state.standardize) for (const [j, c] of state.numeric.entries()) baseline[j] = c.median;
  const numbers = state.standardize ? "the training means" : "the training medians";
  const from =
    state.categorical.length === 0
      ? numbers
      : state.numeric.length === 0
        ? "no category (every one-hot column off)"
        : `${numbers} (categories: every one-hot column off)`;
  return { baseline, from };
}

/**
 * Integrated gradients of a table model's outputs, per table column: computed on the
 * preprocessed input (TF.js gradients), each one-hot block summed into its column (the
 * attributions add, so the sum is exact). bias is the outputs at the baseline (tableBaseline),
 * the same for every row; values + bias equal the outputs up to the trapezoid rule's error. With
 * `scale`, both are mapped linearly into the target's units (the sum still holds, scaled).
 */
export async function gradientContributions(
  model: GradientModel,
  forward: OutputFunction,
  rows: TableData,
  outputs: GradientOutputs,
): Promise<RowContributions> {
  await useBackend();
  const state = model.preprocessor.fitted;
  const columns = encodedColumns(state);
  const x = await namingPlainRows(
    rows,
    async () => model.preprocessor.transform(tableFrame(rows, model.inputColumns)).x,
  );
  const { baseline, from } = tableBaseline(state, x.cols);
  const ig = await integratedGradients(forward, x, baseline, IG_STEPS);
  if (ig.outputs !== outputs.classes.length)
    throw new Error(
      `integrated gradients: the model gives ${ig.outputs} outputs for ${outputs.classes.length} classes`,
    );
  const { mean, std } = outputs.scale ?? { mean: 0, std: 1 };
  const perColumn = sumByColumn(
    std === 1 ? ig.values : Float64Array.from(ig.values, (v) => v * std),
    x.rows * ig.outputs,
    columns,
  );
  const bias = Array.from(ig.atBaseline, (v) => v * std + mean);
  return {
    method: `integrated gradients (${IG_STEPS} steps, trapezoid) of ${outputs.what} from ${from}`,
    output: outputs.output,
    features: columns.features,
    classes: [...outputs.classes],
    values: Array.from({ length: x.rows }, (_, r) => perColumn.slice(r * ig.outputs, (r + 1) * ig.outputs)),
    bias: Array.from({ length: x.rows }, () => bias),
  };
}

/** Two classes: the probability of classes[1] only; else every class. */
function probabilities(model: { readonly classes: readonly string[] }): GradientOutputs {
  return {
    classes: model.classes.length === 2 ? [model.classes[1]] : [...model.classes],
    output: "probability",
    what: "the class probabilities",
  };
}

/** Integrated gradients of a dense network (its TF.js layers, in inference mode); see gradientContributions. */
export function denseContributions(model: DenseClassifier, rows: TableData): Promise<RowContributions> {
  const network: tfl.LayersModel = model.network;
  const forward: OutputFunction = (x) => network.apply(x, { training: false }) as tf.Tensor2D;
  return gradientContributions(model, forward, rows, probabilities(model));
}

/**
 * Integrated gradients of logistic regression, its coefficients as a TF.js function (sigmoid of
 * one score for two classes, else softmax); see gradientContributions.
 */
export function logisticContributions(model: LogisticRegression, rows: TableData): Promise<RowContributions> {
  const { coef, intercept } = model.coefficients;
  const forward: OutputFunction = (x) =>
    tf.tidy(() => {
      const scores = tf.add(tf.matMul(x, tf.tensor2d(coef), false, true), tf.tensor1d(intercept));
      return (intercept.length === 1 ? tf.sigmoid(scores) : tf.softmax(scores)) as tf.Tensor2D;
    });
  return gradientContributions(model, forward, rows, probabilities(model));
}
