import type * as tfl from "@tensorflow/tfjs-layers";
import { activation } from "./activation-graph.js";
import {
  configOf,
  isImage,
  type LayerConverter,
  layerError,
  onnxAxis,
  toNchw,
  type Value,
  weightsOf,
} from "./layer-values.js";
import type { GraphBuilder } from "./onnx-graph.js";

/*
 * The layers that read images as ONNX computes them in NCHW: convolutions (TF.js kernels
 * [kh, kw, in, out] become ONNX's [out, in, kh, kw]), pooling, padding and cropping, and batch
 * normalisation. TF's "same" padding is written out as explicit pads: the extra row or column of
 * an odd total goes after (bottom, right), as TensorFlow pads.
 */

type Pair = [number, number];

function pair(v: unknown, fallback?: number): Pair {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1])];
  const n = v === undefined || v === null ? fallback : Number(v);
  return [n as number, n as number];
}

/** The spatial sides of an image value: [h, w]. */
function sides(x: Value): Pair {
  return [x.shape[0], x.shape[1]];
}

/** A 2-D image layer's input, checked to be a channels-last image. */
function imageInput(layer: tfl.layers.Layer, inputs: readonly Value[]): Value {
  const config = configOf(layer);
  if (config.dataFormat !== undefined && config.dataFormat !== "channelsLast")
    throw layerError(
      layer,
      `data format ${String(config.dataFormat)} cannot be exported (channelsLast only)`,
    );
  if (inputs.length !== 1 || !isImage(inputs[0]))
    throw layerError(layer, "expected one [height, width, channels] input");
  return inputs[0];
}

/** ONNX pads [top, left, bottom, right] for TF's "valid" or "same" padding. */
function pads(layer: tfl.layers.Layer, input: Pair, kernel: Pair, strides: Pair, dilation: Pair): number[] {
  const padding = configOf(layer).padding;
  if (padding === "valid") return [0, 0, 0, 0];
  if (padding !== "same") throw layerError(layer, `padding "${String(padding)}" cannot be exported`);
  const [top, bottom] = samePads(input[0], kernel[0], strides[0], dilation[0]);
  const [left, right] = samePads(input[1], kernel[1], strides[1], dilation[1]);
  return [top, left, bottom, right];
}

/** TensorFlow's "same" padding along one side: ceil(size / stride) outputs, the odd pixel after. */
function samePads(size: number, kernel: number, stride: number, dilation: number): Pair {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** A TF.js kernel [kh, kw, in, out] as ONNX's [out, in, kh, kw]. */
function oihw(kernel: Float32Array, kh: number, kw: number, inC: number, outC: number): Float32Array {
  const w = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < inC; i++)
        for (let o = 0; o < outC; o++)
          w[((o * inC + i) * kh + y) * kw + x] = kernel[((y * kw + x) * inC + i) * outC + o];
  return w;
}

interface ConvSpec {
  readonly kernel: Float32Array;
  /** ONNX weight shape [out, in / group, kh, kw]. */
  readonly dims: readonly [number, number, number, number];
  readonly group: number;
  readonly bias?: Float32Array;
  readonly strides: Pair;
  readonly dilation: Pair;
  readonly pads: readonly number[];
}

function conv(g: GraphBuilder, x: string, spec: ConvSpec): string {
  const w = g.floats("conv_weight", spec.kernel, spec.dims);
  const b = spec.bias ? [g.floats("conv_bias", spec.bias, [spec.dims[0]])] : [];
  return g.op("Conv", [x, w, ...b], {
    kernel_shape: { ints: spec.dims.slice(2) },
    strides: { ints: spec.strides },
    dilations: { ints: spec.dilation },
    pads: { ints: spec.pads },
    group: { int: spec.group },
  });
}

/** What Conv2D, DepthwiseConv2D and SeparableConv2D share: kernel size, strides, dilation, pads. */
function geometry(layer: tfl.layers.Layer, x: Value) {
  const config = configOf(layer);
  const kernel = pair(config.kernelSize);
  const strides = pair(config.strides, 1);
  const dilation = pair(config.dilationRate, 1);
  return { config, kernel, strides, dilation, pads: pads(layer, sides(x), kernel, strides, dilation) };
}

const conv2d: LayerConverter = (g, layer, inputs, shape) => {
  const x = imageInput(layer, inputs);
  const {
    config,
    kernel: [kh, kw],
    strides,
    dilation,
    pads,
  } = geometry(layer, x);
  const [kernel, bias] = weightsOf(layer);
  const inC = x.shape[2];
  const outC = Number(config.filters);
  const y = conv(g, toNchw(g, x).name, {
    kernel: oihw(kernel, kh, kw, inC, outC),
    dims: [outC, inC, kh, kw],
    group: 1,
    bias,
    strides,
    dilation,
    pads,
  });
  return { name: activation(g, y, String(config.activation ?? "linear"), 1), shape, layout: "nchw" };
};

/** A depthwise kernel [kh, kw, C, M] as ONNX's grouped [C·M, 1, kh, kw] (output channel c·M + m). */
function depthwise(
  g: GraphBuilder,
  x: string,
  kernel: Float32Array,
  spec: Omit<ConvSpec, "kernel" | "dims" | "group">,
  kh: number,
  kw: number,
  channels: number,
) {
  const multiplier = kernel.length / (kh * kw * channels);
  return conv(g, x, {
    ...spec,
    kernel: oihw(kernel, kh, kw, 1, channels * multiplier),
    dims: [channels * multiplier, 1, kh, kw],
    group: channels,
  });
}

const depthwiseConv2d: LayerConverter = (g, layer, inputs, shape) => {
  const x = imageInput(layer, inputs);
  // tfjs-layers' DepthwiseConv2D does not pass its dilation on (a TODO in its call).
  if (pair(configOf(layer).dilationRate, 1).some((d) => d !== 1))
    throw layerError(
      layer,
      "a dilated depthwise convolution cannot be exported (TF.js ignores its dilation)",
    );
  const {
    config,
    kernel: [kh, kw],
    strides,
    dilation,
    pads,
  } = geometry(layer, x);
  const [kernel, bias] = weightsOf(layer);
  const y = depthwise(g, toNchw(g, x).name, kernel, { bias, strides, dilation, pads }, kh, kw, x.shape[2]);
  return { name: activation(g, y, String(config.activation ?? "linear"), 1), shape, layout: "nchw" };
};

/** A depthwise convolution, then a pointwise (1×1) one with the bias, as TF.js's separableConv2d. */
const separableConv2d: LayerConverter = (g, layer, inputs, shape) => {
  const x = imageInput(layer, inputs);
  const {
    config,
    kernel: [kh, kw],
    strides,
    dilation,
    pads,
  } = geometry(layer, x);
  const [dw, pw, bias] = weightsOf(layer);
  const mid = dw.length / (kh * kw);
  const outC = Number(config.filters);
  const d = depthwise(g, toNchw(g, x).name, dw, { strides, dilation, pads }, kh, kw, x.shape[2]);
  const y = conv(g, d, {
    kernel: oihw(pw, 1, 1, mid, outC),
    dims: [outC, mid, 1, 1],
    group: 1,
    bias,
    strides: [1, 1],
    dilation: [1, 1],
    pads: [0, 0, 0, 0],
  });
  return { name: activation(g, y, String(config.activation ?? "linear"), 1), shape, layout: "nchw" };
};

/** Max or average pooling; TF's average over "same" padding counts only the image's pixels. */
function pooling(op: "MaxPool" | "AveragePool"): LayerConverter {
  return (g, layer, inputs, shape) => {
    const x = imageInput(layer, inputs);
    const config = configOf(layer);
    const size = pair(config.poolSize);
    const strides = pair(config.strides ?? config.poolSize);
    const attrs = {
      kernel_shape: { ints: size },
      strides: { ints: strides },
      pads: { ints: pads(layer, sides(x), size, strides, [1, 1]) },
      ...(op === "AveragePool" ? { count_include_pad: { int: 0 } } : {}),
    };
    return { name: g.op(op, [toNchw(g, x).name], attrs), shape, layout: "nchw" };
  };
}

/** ZeroPadding2D's [[top, bottom], [left, right]] as ONNX Pad. */
const zeroPadding2d: LayerConverter = (g, layer, inputs, shape) => {
  const x = imageInput(layer, inputs);
  const [[top, bottom], [left, right]] = configOf(layer).padding as number[][];
  const pads = g.int64s("pads", [0, 0, top, left, 0, 0, bottom, right], [8]);
  return { name: g.op("Pad", [toNchw(g, x).name, pads]), shape, layout: "nchw" };
};

/** Cropping2D's [[top, bottom], [left, right]] as a Slice of the spatial axes. */
const cropping2d: LayerConverter = (g, layer, inputs, shape) => {
  const x = imageInput(layer, inputs);
  const [[top, bottom], [left, right]] = configOf(layer).cropping as number[][];
  const [h, w] = sides(x);
  const starts = g.int64s("starts", [top, left], [2]);
  const ends = g.int64s("ends", [h - bottom, w - right], [2]);
  const axes = g.int64s("axes", [2, 3], [2]);
  return { name: g.op("Slice", [toNchw(g, x).name, starts, ends, axes]), shape, layout: "nchw" };
};

/**
 * Batch normalisation with the moving statistics (TF.js at predict time): (x − mean) / √(var + ε)
 * · γ + β over the channels (its axis must be the last); γ is 1 and β 0 where the layer has none.
 */
const batchNormalization: LayerConverter = (g, layer, inputs, shape) => {
  const config = configOf(layer);
  const v = inputs[0];
  const rank = v.shape.length + 1;
  const axis = Number(config.axis ?? -1);
  if (inputs.length !== 1 || ![-1, rank - 1].includes(axis) || ![2, 4].includes(rank))
    throw layerError(
      layer,
      "only a batch normalisation of the last axis of a 2-D or 4-D tensor can be exported",
    );
  const weights = weightsOf(layer);
  const n = v.shape[v.shape.length - 1];
  const gamma = config.scale === false ? new Float32Array(n).fill(1) : weights.shift();
  const beta = config.center === false ? new Float32Array(n) : weights.shift();
  const [mean, variance] = weights;
  const x = isImage(v) ? toNchw(g, v) : v;
  const y = g.op(
    "BatchNormalization",
    [
      x.name,
      g.floats("bn_scale", gamma as Float32Array, [n]),
      g.floats("bn_bias", beta as Float32Array, [n]),
      g.floats("bn_mean", mean, [n]),
      g.floats("bn_var", variance, [n]),
    ],
    { epsilon: { float: Number(config.epsilon ?? 1e-3) } },
  );
  return { name: y, shape, layout: x.layout };
};

/** Global average or max pooling: the spatial axes reduced away. */
function globalPooling(op: "ReduceMean" | "ReduceMax"): LayerConverter {
  return (g, layer, inputs, shape) => {
    const x = imageInput(layer, inputs);
    const axes = [onnxAxis(x, 1), onnxAxis(x, 2)];
    return {
      name: g.op(op, [x.name], { axes: { ints: axes }, keepdims: { int: 0 } }),
      shape,
      layout: "nhwc",
    };
  };
}

/** The image layers' converters by TF.js class name. */
export const CONV_LAYERS: Readonly<Record<string, LayerConverter>> = {
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  MaxPooling2D: pooling("MaxPool"),
  AveragePooling2D: pooling("AveragePool"),
  GlobalAveragePooling2D: globalPooling("ReduceMean"),
  GlobalMaxPooling2D: globalPooling("ReduceMax"),
  ZeroPadding2D: zeroPadding2d,
  Cropping2D: cropping2d,
  BatchNormalization: batchNormalization,
};
