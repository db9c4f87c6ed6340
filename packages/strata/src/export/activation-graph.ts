import { StrataError } from "../errors.js";
import type { GraphBuilder } from "./onnx-graph.js";

/** A float32 scalar constant (broadcasts against any shape). */
export function scalar(g: GraphBuilder, hint: string, value: number): string {
  return g.floats(hint, [value], []);
}

/** min(max(x, lo), hi), as TF.js's clipByValue. */
export function clip(g: GraphBuilder, x: string, lo: number, hi: number): string {
  return g.op("Clip", [x, scalar(g, "clip_min", lo), scalar(g, "clip_max", hi)]);
}

/**
 * TF.js's activation `name` (as a layer's config names it) applied to x, in ONNX ops, each as
 * tfjs-layers computes it; `axis` is the ONNX axis of the channels (for softmax).
 */
export function activation(g: GraphBuilder, x: string, name: string, axis: number): string {
  switch (name) {
    case "linear":
      return x;
    case "relu":
      return g.op("Relu", [x]);
    case "relu6":
      return clip(g, g.op("Relu", [x]), 0, 6);
    case "elu":
      return g.op("Elu", [x], { alpha: { float: 1 } });
    case "selu":
      return g.op("Selu", [x]);
    case "tanh":
      return g.op("Tanh", [x]);
    case "sigmoid":
      return g.op("Sigmoid", [x]);
    case "hardSigmoid":
      // 0.2·x + 0.5, clipped to [0, 1]
      return g.op("HardSigmoid", [x], { alpha: { float: 0.2 }, beta: { float: 0.5 } });
    case "softplus":
      return g.op("Softplus", [x]);
    case "softsign":
      return g.op("Softsign", [x]);
    case "softmax":
      return g.op("Softmax", [x], { axis: { int: axis } });
    case "logSoftmax":
      return g.op("LogSoftmax", [x], { axis: { int: axis } });
    case "swish":
      return g.op("Mul", [g.op("Sigmoid", [x]), x]);
    case "mish":
      return g.op("Mul", [x, g.op("Tanh", [g.op("Softplus", [x])])]);
    case "gelu": {
      // x · 0.5 · (1 + erf(x / √2))
      const erf = g.op("Erf", [g.op("Div", [x, scalar(g, "sqrt2", Math.SQRT2)])]);
      const cdf = g.op("Mul", [scalar(g, "half", 0.5), g.op("Add", [scalar(g, "one", 1), erf])]);
      return g.op("Mul", [x, cdf]);
    }
    case "gelu_new": {
      // 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))
      const cube = g.op("Mul", [scalar(g, "c", 0.044715), g.op("Pow", [x, scalar(g, "three", 3)])]);
      const inner = g.op("Mul", [scalar(g, "k", Math.sqrt(2 / Math.PI)), g.op("Add", [x, cube])]);
      const onePlus = g.op("Add", [scalar(g, "one", 1), g.op("Tanh", [inner])]);
      return g.op("Mul", [scalar(g, "half", 0.5), g.op("Mul", [x, onePlus])]);
    }
    default:
      throw new StrataError(`activation "${name}" cannot be exported to ONNX`);
  }
}
