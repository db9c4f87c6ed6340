import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../errors.js";
import type { DenseRegressor, TargetScaling } from "../estimators/dense-regressor.js";
import type { RidgeRegressor } from "../estimators/ridge.js";
import type { XGBoostRegressor } from "../estimators/xgboost-regressor.js";
import { affine } from "./heads.js";
import type { RegressorGraph } from "./kind-graph.js";
import type { Value } from "./layer-values.js";
import { addLayersModel } from "./layers-graph.js";
import type { GraphBuilder } from "./onnx-graph.js";
import { tableFeatures } from "./table-graphs.js";
import { addXGBoostRegressor } from "./xgboost-graph.js";

/*
 * The single table regressors as ONNX: each its own fitted preprocessing (preprocess-graph.ts)
 * over the shared column inputs, then its model, to a prediction [rows, 1] in the target's units.
 * (The image regressors: image-regressor-graphs.ts.)
 */

/** Ridge: x·coef + intercept over its preprocessed columns, as RidgeRegressor predicts. */
export const ridgeGraph: RegressorGraph = {
  kind: "ridge",
  prediction(ctx, model) {
    const { coef, intercept } = (model as unknown as RidgeRegressor).coefficients;
    return affine(ctx.g, tableFeatures(ctx, model), coef, [intercept], coef.length, 1);
  },
};

/** XGBoost under reg:squarederror: base_score plus the trees' leaves (xgboost-graph.ts). */
export const xgboostRegressorGraph: RegressorGraph = {
  kind: "xgboost-regressor",
  prediction: (ctx, model) =>
    addXGBoostRegressor(ctx.g, model as unknown as XGBoostRegressor, tableFeatures(ctx, model)),
};

/**
 * A dense network regressor: its layers as TF.js runs them at predict time (layers-graph.ts), its
 * one linear output being the standardised target, then undone as DenseRegressor.predict does:
 * output × std + mean (target.json).
 */
export const denseRegressorGraph: RegressorGraph = {
  kind: "dense-regressor",
  prediction(ctx, model) {
    const dense = model as unknown as DenseRegressor;
    const network = dense.network as tfl.LayersModel;
    const width = network.inputs[0].shape[1] ?? 0;
    const input: Value = { name: tableFeatures(ctx, model), shape: [width], layout: "nhwc" };
    return addRegressionNetwork(ctx.g, network, input, dense.targetScaling);
  },
};

/**
 * A regressor network's prediction [rows, 1] in the target's units from its one input: its one
 * linear output (the standardised target), then × std + mean (target.json), as predict undoes it.
 */
export function addRegressionNetwork(
  g: GraphBuilder,
  network: tfl.LayersModel,
  input: Value,
  { mean, std }: TargetScaling,
): string {
  const outputs = addLayersModel(g, network, [input]);
  if (outputs.length !== 1 || outputs[0].shape.join() !== "1")
    throw new StrataError(`network "${network.name}" does not end in one [rows, 1] output`);
  const scaled = g.op("Mul", [outputs[0].name, g.floats("target_std", [std], [1, 1], "constant")]);
  return g.op("Add", [scaled, g.floats("target_mean", [mean], [1, 1], "constant")]);
}
