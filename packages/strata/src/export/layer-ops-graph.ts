import { activation, clip, scalar } from "./activation-graph.js";
import {
  channelAxis,
  configOf,
  isImage,
  type LayerConverter,
  layerError,
  oneLayout,
  onnxAxis,
  toNhwc,
  type Value,
  weightsOf,
} from "./layer-values.js";
import type { GraphBuilder } from "./onnx-graph.js";

/*
 * The layers that need no image layout of their own, each as tfjs-layers computes it at predict
 * time: dense layers and activations, merges, flattening and reshaping (in TF.js's NHWC order),
 * rescaling, and the layers that do nothing when predicting (dropout, noise).
 */

function one(inputs: readonly Value[]): Value {
  return inputs[0];
}

/** x·W + b on the last axis (TF.js's order, so an image value is read as NHWC), then the activation. */
const dense: LayerConverter = (g, layer, inputs, shape) => {
  const x = toNhwc(g, one(inputs));
  const config = configOf(layer);
  const units = Number(config.units);
  const [kernel, bias] = weightsOf(layer);
  let y = g.op("MatMul", [x.name, g.floats("weights", kernel, [kernel.length / units, units])]);
  if (bias) y = g.op("Add", [y, g.floats("bias", bias, [units])]);
  return { name: activation(g, y, String(config.activation ?? "linear"), -1), shape, layout: "nhwc" };
};

/** A layer whose ONNX is one function of its one input, keeping its layout. */
function unary(f: (g: GraphBuilder, x: Value, config: Record<string, unknown>) => string): LayerConverter {
  return (g, layer, inputs, shape) => {
    const x = one(inputs);
    return { name: f(g, x, configOf(layer)), shape, layout: x.layout };
  };
}

const activationLayer = unary((g, x, c) => activation(g, x.name, String(c.activation), channelAxis(x)));

/** ReLU, clipped at max_value when it has one. */
const relu = unary((g, x, c) => {
  const y = g.op("Relu", [x.name]);
  return c.maxValue === undefined || c.maxValue === null ? y : clip(g, y, 0, Number(c.maxValue));
});

const leakyRelu = unary((g, x, c) =>
  g.op("LeakyRelu", [x.name], { alpha: { float: Number(c.alpha ?? 0.3) } }),
);

/** TF.js's ELU layer takes only alpha 1. */
const elu = unary((g, x) => g.op("Elu", [x.name], { alpha: { float: 1 } }));

/** x where x > θ, else 0. */
const thresholdedRelu = unary((g, x, c) => {
  const above = g.op("Greater", [x.name, scalar(g, "theta", Number(c.theta ?? 1))]);
  return g.op("Mul", [x.name, g.op("Cast", [above], { to: { int: 1 } })]);
});

const softmax: LayerConverter = (g, layer, inputs, shape) => {
  const x = one(inputs);
  const axis = configOf(layer).axis ?? -1;
  const a = Array.isArray(axis) ? (axis.length === 1 ? axis[0] : undefined) : axis;
  if (typeof a !== "number") throw layerError(layer, "a softmax over several axes cannot be exported");
  return { name: g.op("Softmax", [x.name], { axis: { int: onnxAxis(x, a) } }), shape, layout: x.layout };
};

/** PReLU: its slopes [..., channels] are transposed with an NCHW value. */
const prelu: LayerConverter = (g, layer, inputs, shape) => {
  const x = one(inputs);
  const [alpha] = weightsOf(layer);
  const dims = [...x.shape];
  // Shared axes have size 1 in the slopes.
  const shared = (configOf(layer).sharedAxes as number[] | null | undefined) ?? [];
  for (const a of shared) dims[a - 1] = 1;
  let slope = g.floats("slope", alpha, dims);
  if (isImage(x) && x.layout === "nchw") slope = g.op("Transpose", [slope], { perm: { ints: [2, 0, 1] } });
  return { name: g.op("PRelu", [x.name, slope]), shape, layout: x.layout };
};

/** x · scale + offset. */
const rescaling = unary((g, x, c) =>
  g.op("Add", [
    g.op("Mul", [x.name, scalar(g, "scale", Number(c.scale))]),
    scalar(g, "offset", Number(c.offset ?? 0)),
  ]),
);

/** An elementwise merge of inputs of one rank (broadcasting as TF.js does within a rank). */
function merge(op: "Sum" | "Mul" | "Mean" | "Max" | "Min"): LayerConverter {
  return (g, layer, inputs, shape) => {
    if (inputs.some((v) => v.shape.length !== inputs[0].shape.length))
      throw layerError(layer, "merging tensors of different ranks cannot be exported");
    const xs = oneLayout(g, inputs);
    // Mul is binary; the variadic ops take every input at once.
    const name =
      op === "Mul"
        ? xs.slice(1).reduce((acc, v) => g.op("Mul", [acc, v.name]), xs[0].name)
        : g.op(
            op,
            xs.map((v) => v.name),
          );
    return { name, shape, layout: xs[0].layout };
  };
}

const concatenate: LayerConverter = (g, layer, inputs, shape) => {
  const xs = oneLayout(g, inputs);
  const axis = onnxAxis(xs[0], Number(configOf(layer).axis ?? -1));
  return {
    name: g.op(
      "Concat",
      xs.map((v) => v.name),
      { axis: { int: axis } },
    ),
    shape,
    layout: xs[0].layout,
  };
};

/** Flatten in TF.js's (NHWC) order. */
const flatten: LayerConverter = (g, _layer, inputs, shape) => ({
  name: g.op("Flatten", [toNhwc(g, one(inputs)).name], { axis: { int: 1 } }),
  shape,
  layout: "nhwc",
});

const reshape: LayerConverter = (g, _layer, inputs, shape) => ({
  name: g.op("Reshape", [toNhwc(g, one(inputs)).name, g.int64s("shape", [-1, ...shape], [shape.length + 1])]),
  shape,
  layout: "nhwc",
});

/** Permute's dims count from 1 (after the batch). */
const permute: LayerConverter = (g, layer, inputs, shape) => {
  const dims = configOf(layer).dims as number[];
  const x = toNhwc(g, one(inputs));
  return { name: g.op("Transpose", [x.name], { perm: { ints: [0, ...dims] } }), shape, layout: "nhwc" };
};

/** Nothing at predict time. */
const identity: LayerConverter = (_g, _layer, inputs) => one(inputs);

/** These layers' converters by TF.js class name. */
export const OP_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Dense: dense,
  Activation: activationLayer,
  ReLU: relu,
  LeakyReLU: leakyRelu,
  ELU: elu,
  ThresholdedReLU: thresholdedRelu,
  Softmax: softmax,
  PReLU: prelu,
  Rescaling: rescaling,
  Add: merge("Sum"),
  Multiply: merge("Mul"),
  Average: merge("Mean"),
  Maximum: merge("Max"),
  Minimum: merge("Min"),
  Concatenate: concatenate,
  Flatten: flatten,
  Reshape: reshape,
  Permute: permute,
  InputLayer: identity,
  Dropout: identity,
  SpatialDropout1D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
};
