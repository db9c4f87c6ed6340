import type * as tf from "@tensorflow/tfjs-core";
import { namingPlainRows, type TableData, tableFrame } from "../data/plain.js";
import type { DenseRegressor } from "../estimators/dense-regressor.js";
import type { RidgeRegressor } from "../estimators/ridge.js";
import { encodedColumns, sumByColumn } from "./encoded-columns.js";
import { gradientContributions, tableBaseline } from "./gradient-contributions.js";
import type { OutputFunction } from "./integrated-gradients.js";
import { PREDICTION_OUTPUT, type RowContributions } from "./types.js";

/**
 * Integrated gradients of a dense regressor: of its network's output (the standardised target),
 * then scaled by the target's standard deviation, so that each row's values are in the target's
 * units and add up to its prediction minus the prediction at the baseline (the bias), up to the
 * trapezoid rule's error.
 */
export function denseRegressorContributions(
  model: DenseRegressor,
  rows: TableData,
): Promise<RowContributions> {
  const network = model.network;
  const forward: OutputFunction = (x) => network.apply(x, { training: false }) as tf.Tensor2D;
  return gradientContributions(model, forward, rows, {
    classes: [PREDICTION_OUTPUT],
    output: "prediction",
    what: "the prediction",
    scale: model.targetScaling,
  });
}

/**
 * A ridge model's contributions, exactly: a linear model's prediction is intercept + Σ coef·x, so
 * coef·(x − baseline) per preprocessed column adds up to the prediction minus the prediction at
 * the baseline, with nothing left over. The baseline is the one integrated gradients starts
 * from (tableBaseline: the training means once standardised, every category off), so a ridge
 * model and a network are explained from the same point; a one-hot block then sums to the
 * coefficient of the row's category.
 */
export async function ridgeContributions(model: RidgeRegressor, rows: TableData): Promise<RowContributions> {
  const state = model.preprocessor.fitted;
  const columns = encodedColumns(state);
  const x = await namingPlainRows(
    rows,
    async () => model.preprocessor.transform(tableFrame(rows, model.inputColumns)).x,
  );
  const { coef, intercept } = model.coefficients;
  const d = x.cols;
  const { baseline, from } = tableBaseline(state, d);
  let bias = intercept;
  for (let j = 0; j < d; j++) bias += coef[j] * baseline[j];
  const encoded = new Float64Array(x.rows * d);
  for (let r = 0; r < x.rows; r++)
    for (let j = 0; j < d; j++) encoded[r * d + j] = coef[j] * (x.data[r * d + j] - baseline[j]);
  const perColumn = sumByColumn(encoded, x.rows, columns);
  return {
    method: `exact (linear: coefficient × the value's distance from ${from})`,
    output: "prediction",
    features: columns.features,
    classes: [PREDICTION_OUTPUT],
    values: perColumn.map((v) => [v]),
    bias: perColumn.map(() => [bias]),
  };
}
