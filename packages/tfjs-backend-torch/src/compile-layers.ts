import type { Tensor } from "@tensorflow/tfjs-core";
import { ACTIVATIONS, type Activation, type ProgramOp } from "./program.js";
import { fail } from "./unsupported.js";

/** A tfjs-layers weight (LayerVariable). */
export interface LayerWeight {
  read(): Tensor;
  readonly trainable: boolean;
}

/** The tfjs-layers internals a compilation reads (public in JS, not in the typings). */
export interface LayerInternals {
  losses: unknown[];
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  [field: string]: unknown;
}

/** What a layer's translation sees: the layer, its inputs' value slots and shapes, the parameter table. */
export interface LayerContext {
  readonly layer: LayerInternals;
  readonly config: Record<string, unknown>;
  /** The value slots the layer reads (0: the network's input; op k writes slot k + 1). */
  readonly inputs: number[];
  readonly shapes: (number | null)[][];
  /** Adds a weight (and its L1L2 regulariser) to the program's parameters; its index, -1 for none. */
  param(w: unknown, regularizer?: unknown): number;
  /** Adds a batch norm's moving statistic (written by a training step, not trained). */
  moving(w: unknown): number;
}

const TFJS_PAD = (size: number, k: number, s: number, d: number): [number, number] => {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
};

function num(config: Record<string, unknown>, key: string): number {
  const v = config[key];
  if (typeof v !== "number") fail(`${key} is not a number`);
  return v;
}

function pair(v: unknown): [number, number] {
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.length === 2) return [Number(v[0]), Number(v[1])];
  return fail(`expected one or two numbers, got ${JSON.stringify(v)}`);
}

function activation(c: LayerContext): Activation {
  const a = c.layer.activation as { getClassName(): string } | undefined;
  const name = a ? a.getClassName() : "linear";
  const known = ACTIVATIONS.find((k) => k === name);
  return known ?? fail(`activation ${name}`);
}

/** The [height, width] of a 4-d input known when compiling (a convolution's 'same' padding needs it). */
function staticSize(c: LayerContext, what: string): [number, number] {
  const shape = c.shapes[0];
  if (shape.length !== 4 || shape[1] == null || shape[2] == null)
    fail(`a ${what} without a static input size`);
  return [shape[1], shape[2]];
}

function conv(c: LayerContext, depthwise: boolean): ProgramOp {
  const { config, layer: L } = c;
  if (config.dataFormat !== "channelsLast") fail("channels-first convolutions");
  const [height, width] = staticSize(c, "convolution");
  const [kh, kw] = pair(config.kernelSize);
  const [sh, sw] = pair(config.strides);
  const [dh, dw] = pair(config.dilationRate ?? 1);
  const same = config.padding === "same";
  if (!same && config.padding !== "valid") fail(`padding ${String(config.padding)}`);
  const [top, bottom] = same ? TFJS_PAD(height, kh, sh, dh) : [0, 0];
  const [left, right] = same ? TFJS_PAD(width, kw, sw, dw) : [0, 0];
  const kernel = depthwise
    ? c.param(L.depthwiseKernel, L.depthwiseRegularizer)
    : c.param(L.kernel, L.kernelRegularizer);
  return {
    op: "conv2d",
    in: c.inputs,
    kernel,
    bias: c.param(L.bias, L.biasRegularizer),
    activation: activation(c),
    strides: [sh, sw],
    dilations: [dh, dw],
    pads: [top, bottom, left, right],
    depthwise,
  };
}

function pool(c: LayerContext, max: boolean): ProgramOp {
  const { config } = c;
  if (config.dataFormat !== "channelsLast") fail("channels-first pooling");
  const [height, width] = staticSize(c, "pool");
  const [kh, kw] = pair(config.poolSize);
  const [sh, sw] = pair(config.strides ?? config.poolSize);
  const same = config.padding === "same";
  const [top, bottom] = same ? TFJS_PAD(height, kh, sh, 1) : [0, 0];
  const [left, right] = same ? TFJS_PAD(width, kw, sw, 1) : [0, 0];
  if (!max && top + bottom + left + right > 0) fail("average pooling with padding");
  return {
    op: "pool",
    in: c.inputs,
    kind: max ? "max" : "avg",
    size: [kh, kw],
    strides: [sh, sw],
    pads: [top, bottom, left, right],
  };
}

function globalPool(c: LayerContext, max: boolean): ProgramOp {
  if (c.config.dataFormat !== "channelsLast") fail("channels-first pooling");
  if (c.config.keepDims) fail("global pooling keeping dims");
  return { op: max ? "gmp" : "gap", in: c.inputs };
}

/**
 * Whether a batch-norm layer normalises with its moving statistics while the network trains, as
 * Keras (2.1 and later) runs a frozen one: its `trainable` is false, or every weight it trains
 * is frozen (what `model.trainable = false` does to the layers of a model used as a layer:
 * tfjs-layers leaves their own flags alone), or it is marked to stay in inference mode
 * (`inferenceMode`: Keras's advice for fine-tuning). Its moving statistics stay as they are.
 */
export function frozenBatchNorm(layer: object): boolean {
  const L = layer as {
    trainable?: boolean;
    inferenceMode?: boolean;
    _trainableWeights?: { trainable: boolean }[];
  };
  if (L.trainable === false || L.inferenceMode === true) return true;
  const weights = L._trainableWeights ?? [];
  return weights.length > 0 && weights.every((w) => !w.trainable);
}

/** Per tfjs-layers class: its op. A class not here has no native version. */
const LAYERS: Record<string, (c: LayerContext) => ProgramOp> = {
  Dense: (c) => ({
    op: "dense",
    in: c.inputs,
    kernel: c.param(c.layer.kernel, c.layer.kernelRegularizer),
    bias: c.param(c.layer.bias, c.layer.biasRegularizer),
    activation: activation(c),
  }),
  Activation: (c) => ({ op: "activation", in: c.inputs, activation: activation(c) }),
  ReLU: (c) => ({
    op: "relu",
    in: c.inputs,
    maxValue: c.config.maxValue == null ? null : num(c.config, "maxValue"),
  }),
  LeakyReLU: (c) => ({ op: "leakyrelu", in: c.inputs, alpha: num(c.config, "alpha") }),
  Softmax: (c) => {
    const axis = c.config.axis;
    if (axis !== -1 && !(Array.isArray(axis) && axis[0] === -1)) fail("softmax on another axis");
    return { op: "activation", in: c.inputs, activation: "softmax" };
  },
  Dropout: (c) => {
    if (c.config.noiseShape != null) fail("dropout with a noise shape");
    return { op: "dropout", in: c.inputs, rate: num(c.config, "rate") };
  },
  BatchNormalization: (c) => {
    const { config, layer: L } = c;
    const rank = c.shapes[0].length;
    const axis = num(config, "axis");
    if (axis !== -1 && axis !== rank - 1) fail("batch norm on an axis other than the last");
    const frozen = frozenBatchNorm(L);
    // The moving statistics come first in the parameter list (as they always have: the order is the program's).
    // A frozen batch norm's are read, never written.
    const movingMean = frozen ? c.param(L.movingMean) : c.moving(L.movingMean);
    const movingVariance = frozen ? c.param(L.movingVariance) : c.moving(L.movingVariance);
    return {
      op: "batchnorm",
      in: c.inputs,
      gamma: c.param(L.gamma, L.gammaRegularizer),
      beta: c.param(L.beta, L.betaRegularizer),
      movingMean,
      movingVariance,
      epsilon: num(config, "epsilon"),
      momentum: num(config, "momentum"),
      frozen,
    };
  },
  Conv2D: (c) => conv(c, false),
  DepthwiseConv2D: (c) => conv(c, true),
  MaxPooling2D: (c) => pool(c, true),
  AveragePooling2D: (c) => pool(c, false),
  GlobalAveragePooling2D: (c) => globalPool(c, false),
  GlobalMaxPooling2D: (c) => globalPool(c, true),
  Flatten: (c) => ({ op: "flatten", in: c.inputs }),
  Reshape: (c) => {
    const target = c.config.targetShape as number[];
    return { op: "reshape", in: c.inputs, shape: target.map((d) => (d == null ? -1 : d)) };
  },
  ZeroPadding2D: (c) => {
    if (c.config.dataFormat !== "channelsLast") fail("channels-first padding");
    const p = c.config.padding as [[number, number], [number, number]];
    return { op: "zeropad", in: c.inputs, pads: [p[0][0], p[0][1], p[1][0], p[1][1]] };
  },
  Add: (c) => ({ op: "add", in: c.inputs }),
  Multiply: (c) => ({ op: "multiply", in: c.inputs }),
  Concatenate: (c) => {
    const rank = c.shapes[0].length;
    const axis = num(c.config, "axis");
    return { op: "concat", in: c.inputs, axis: axis < 0 ? axis + rank : axis };
  },
};

/** The layer's op, or the reason it has none. */
export function layerOp(className: string, c: LayerContext): ProgramOp {
  const translate = Object.hasOwn(LAYERS, className) ? LAYERS[className] : undefined;
  if (!translate) return fail(`layer ${className}`);
  return translate(c);
}
