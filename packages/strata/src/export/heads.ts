import type { GraphBuilder } from "./onnx-graph.js";

/** [rows, 2] probabilities [1 - p, p] from a [rows, 1] probability of the second class, as probaFromOutputs. */
export function binaryProbabilities(g: GraphBuilder, p: string): string {
  const q = g.op("Sub", [g.floats("one", [1], [1, 1]), p]);
  return g.op("Concat", [q, p], { axis: { int: 1 } });
}

/** Probabilities from [rows, outputs] scores: a sigmoid for one output (two classes), else a softmax. */
export function scoresToProbabilities(g: GraphBuilder, scores: string, outputs: number): string {
  return outputs === 1
    ? binaryProbabilities(g, g.op("Sigmoid", [scores]))
    : g.op("Softmax", [scores], { axis: { int: 1 } });
}

/** x·W + b for x [rows, inputs], W [inputs, outputs] (row-major), b [outputs]. */
export function affine(
  g: GraphBuilder,
  x: string,
  weights: ArrayLike<number>,
  bias: ArrayLike<number>,
  inputs: number,
  outputs: number,
): string {
  const product = g.op("MatMul", [x, g.floats("weights", weights, [inputs, outputs])]);
  return g.op("Add", [product, g.floats("bias", bias, [outputs])]);
}
