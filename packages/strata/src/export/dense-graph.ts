import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../errors.js";
import { affine, binaryProbabilities } from "./heads.js";
import type { GraphBuilder } from "./onnx-graph.js";

/**
 * A dense network's probabilities from the [rows, features] matrix, layer by layer as TF.js runs
 * it at predict time: Dense (MatMul + Add, then its activation), BatchNormalization with its
 * moving statistics, Activation, Dropout (nothing at predict time). A single sigmoid output
 * (two classes) becomes [1 - p, p].
 */
export function addDenseNetwork(g: GraphBuilder, network: tfl.LayersModel, features: string): string {
  let x = features;
  let width = 0;
  for (const layer of network.layers) {
    const kind = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    if (kind === "InputLayer" || kind === "Dropout") continue;
    const weights = layer.getWeights().map((w) => w.dataSync() as Float32Array);
    if (kind === "Dense") {
      const units = config.units as number;
      const kernel = weights[0];
      const inputs = kernel.length / units;
      const bias = weights[1] ?? new Float32Array(units);
      x = activation(g, affine(g, x, kernel, bias, inputs, units), String(config.activation ?? "linear"));
      width = units;
    } else if (kind === "BatchNormalization") {
      const [gamma, beta, mean, variance] = weights;
      if (weights.length !== 4 || config.center === false || config.scale === false)
        throw new StrataError(`layer ${layer.name}: a batch normalisation without its scale or centre`);
      const n = gamma.length;
      x = g.op(
        "BatchNormalization",
        [
          x,
          g.floats("bn_scale", gamma, [n]),
          g.floats("bn_bias", beta, [n]),
          g.floats("bn_mean", mean, [n]),
          g.floats("bn_var", variance, [n]),
        ],
        { epsilon: { float: (config.epsilon as number | undefined) ?? 1e-3 } },
      );
    } else if (kind === "Activation") {
      x = activation(g, x, String(config.activation));
    } else {
      throw new StrataError(`layer ${layer.name}: ${kind} layers cannot be exported to ONNX yet`);
    }
  }
  return width === 1 ? binaryProbabilities(g, x) : x;
}

/** TF.js's activation `name` applied to x, in ONNX ops. */
function activation(g: GraphBuilder, x: string, name: string): string {
  switch (name) {
    case "linear":
      return x;
    case "relu":
      return g.op("Relu", [x]);
    case "elu":
      return g.op("Elu", [x], { alpha: { float: 1 } });
    case "selu":
      return g.op("Selu", [x]);
    case "tanh":
      return g.op("Tanh", [x]);
    case "sigmoid":
      return g.op("Sigmoid", [x]);
    case "softmax":
      return g.op("Softmax", [x], { axis: { int: -1 } });
    case "swish":
      return g.op("Mul", [g.op("Sigmoid", [x]), x]);
    case "mish":
      return g.op("Mul", [x, g.op("Tanh", [g.op("Softplus", [x])])]);
    case "gelu": {
      // TF.js: x · 0.5 · (1 + erf(x / √2)).
      const erf = g.op("Erf", [g.op("Div", [x, g.floats("sqrt2", [Math.SQRT2], [1])])]);
      const cdf = g.op("Mul", [g.floats("half", [0.5], [1]), g.op("Add", [g.floats("one", [1], [1]), erf])]);
      return g.op("Mul", [x, cdf]);
    }
    default:
      throw new StrataError(`activation "${name}" cannot be exported to ONNX yet`);
  }
}
