import type { LogisticRegression } from "../estimators/logistic.js";
import { affine, scoresToProbabilities } from "./heads.js";
import type { GraphBuilder } from "./onnx-graph.js";

/** A logistic regression's probabilities from the [rows, features] matrix: x·Wᵀ + b, then sigmoid or softmax. */
export function addLogistic(g: GraphBuilder, model: LogisticRegression, features: string): string {
  const { coef, intercept } = model.coefficients;
  const outputs = coef.length;
  const inputs = coef[0].length;
  // coef is [outputs, features]; the MatMul wants [features, outputs].
  const weights = new Float64Array(inputs * outputs);
  for (let o = 0; o < outputs; o++) for (let j = 0; j < inputs; j++) weights[j * outputs + o] = coef[o][j];
  return scoresToProbabilities(g, affine(g, features, weights, intercept, inputs, outputs), outputs);
}
