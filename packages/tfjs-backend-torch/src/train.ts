import { engine, getBackend, type Tensor, type Variable } from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { TorchBackend } from "./backend.js";
import type { Handle } from "./native.js";
import type { FusedAdamOptimizer } from "./optimizers.js";
import { BACKEND_NAME } from "./register.js";

/** A tfjs-layers weight (LayerVariable). */
interface LayerWeight {
  read(): Tensor;
  readonly trainable: boolean;
}

/** One op of a compiled network (see native/train.cc). */
interface ProgramOp {
  op: string;
  in: number[];
  p?: number[];
  s?: string;
  f?: number[];
  i?: number[];
}

type Layer = tfl.LayersModel["layers"][number];
/** The tfjs-layers internals a compilation reads (public in JS, not in the typings). */
interface LayerNode {
  inboundLayers: Layer[];
  tensorIndices: number[];
  inputShapes: (number | null)[] | (number | null)[][];
}
interface LayerInternals {
  inboundNodes: LayerNode[];
  losses: unknown[];
  getClassName(): string;
  getConfig(): Record<string, unknown>;
  [field: string]: unknown;
}
interface GraphInternals {
  layers: Layer[];
  inputLayers: Layer[];
  outputLayers: Layer[];
  containerNodes: Set<string>;
}
interface Regularizer {
  getClassName(): string;
  l1: number;
  l2: number;
}

/** Why a network has no native step (the first unsupported thing met), per reason: how often it was asked. */
const fallbackCounts = new Map<string, number>();
let nativeSteps = 0;
let nativeForwards = 0;

/**
 * How many native steps and native inference calls (predict, evaluate) ran and, per reason, how
 * many networks fell back to TF.js (strata prefixes inference fallbacks with "inference: ").
 */
export function nativeTrainingStats(): {
  steps: number;
  forwards: number;
  fallbacks: Record<string, number>;
} {
  return { steps: nativeSteps, forwards: nativeForwards, fallbacks: Object.fromEntries(fallbackCounts) };
}

/** Records that a network trains through TF.js instead (strata's loop calls it once per fit). */
export function countNativeFallback(reason: string): void {
  fallbackCounts.set(reason, (fallbackCounts.get(reason) ?? 0) + 1);
}

class Unsupported extends Error {}

function fail(why: string): never {
  throw new Unsupported(why);
}

/** One optimizer's share of a native step: the variables it updates and its Adam state. */
export interface NativeParamGroup {
  readonly variables: readonly Variable[];
  readonly optimizer: FusedAdamOptimizer;
}

/** Where a step's batch comes from: a batch's tensors, or rows of the whole training tensors. */
export interface NativeBatch {
  readonly x: Tensor;
  readonly y: Tensor;
  /** Rows of x and y (and weights) that make the batch; absent: x and y are the batch. */
  readonly rows?: Int32Array;
  /** A loss weight per row of x. */
  readonly weights?: Float32Array;
}

const TFJS_PAD = (size: number, k: number, s: number, d: number): [number, number] => {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
};

/**
 * A tfjs-layers network compiled for libtorch: one N-API call per training step (batch gather,
 * forward, tfjs-layers' loss and penalties, autograd backward, TF.js's Adam update on the tensors
 * behind the model's variables), and the same forward for inference. The model stays the model:
 * its variables hold the trained values after every step, so saving, checkpoints and the TF.js
 * path see them as usual.
 *
 * Networks: a single-input, single-output graph (Sequential or functional) of Dense, Activation,
 * ReLU, LeakyReLU, Softmax, Dropout, BatchNormalization (last axis), Conv2D and DepthwiseConv2D
 * (NHWC), MaxPooling2D, AveragePooling2D (no padding), global pooling, Flatten, Reshape,
 * ZeroPadding2D, Add, Multiply and Concatenate layers, with L1/L2 weight regularisers, ending in
 * a softmax (categorical cross-entropy) or a one-unit sigmoid (binary cross-entropy). Anything
 * else: `compile` returns the reason and training stays on TF.js.
 *
 * Dropout draws from libtorch's generator seeded per step by the caller (`seed`): reproducible
 * for a seed, but not TF.js's random stream.
 */
export class NativeNetwork {
  private readonly handles: Int32Array;
  private readonly out = new Float64Array(2);
  private disposed = false;

  private constructor(
    private readonly backend: TorchBackend,
    private readonly program: number,
    /** The model's weights the program reads, in its parameter order. */
    readonly params: readonly LayerWeight[],
    /** Indices of params that a training step writes besides the trained ones (batch-norm moving statistics). */
    private readonly moving: readonly number[],
    /** Compiled for inference only (any output; no training step, no loss). */
    readonly inferenceOnly: boolean,
  ) {
    this.handles = new Int32Array(params.length);
  }

  /**
   * Compiles `model`, or says why it cannot be (then it trains through TF.js). With `inference`,
   * the network may end in any output (a feature extractor, say): `predict` only, no step or loss.
   */
  static compile(model: tfl.LayersModel, options: { inference?: boolean } = {}): NativeNetwork | string {
    const backend = engine().backend;
    if (getBackend() !== BACKEND_NAME || !(backend instanceof TorchBackend)) return "not the torch backend";
    if (typeof backend.addon.compileProgram !== "function") return "the addon has no native step";
    const inference = options.inference === true;
    try {
      const { ops, params, l1, l2, binary, moving } = describe(model, inference);
      const program = backend.addon.compileProgram({ ops, l1, l2, binary });
      return new NativeNetwork(backend, program, params, moving, inference);
    } catch (e) {
      if (e instanceof Unsupported) return e.message;
      throw e;
    }
  }

  /**
   * One training step: the batch's row-weighted mean loss plus the penalties, and its accuracy
   * (both before the update). Each group's Adam takes one step (its iteration count advances).
   */
  trainStep(
    batch: NativeBatch,
    groups: readonly NativeParamGroup[],
    seed: number,
  ): { loss: number; accuracy: number } {
    this.check();
    if (this.inferenceOnly) throw new Error("trainStep: this NativeNetwork was compiled for inference only");
    const index = new Map<Tensor, number>();
    this.params.forEach((p, i) => {
      index.set(p.read(), i);
    });
    for (const i of this.moving) this.owned(this.params[i].read() as Variable);
    const trained: number[] = [];
    const moments: number[] = [];
    const hyper: number[] = [];
    const written: Variable[] = [];
    for (const g of groups) {
      const { m, v, hyper: h } = g.optimizer.nativeSlots(g.variables);
      g.variables.forEach((variable, k) => {
        const i = index.get(variable);
        if (i === undefined)
          throw new Error(`trainStep: variable ${variable.name} is not one of the network's`);
        trained.push(i);
        moments.push(this.owned(m[k]), this.owned(v[k]));
        this.owned(variable);
        hyper.push(...h);
        written.push(m[k], v[k], variable);
      });
    }
    this.readHandles();
    const b = this.backend;
    b.addon.trainStep(
      this.program,
      b.handle(batch.x),
      b.handle(batch.y),
      batch.weights ?? null,
      batch.rows ?? null,
      this.handles,
      Int32Array.from(trained),
      Int32Array.from(moments),
      Float64Array.from(hyper),
      seed >>> 0,
      this.out,
    );
    for (const t of written) b.invalidate(t);
    for (const i of this.moving) b.invalidate(this.params[i].read());
    for (const g of groups) g.optimizer.advance();
    nativeSteps++;
    return { loss: this.out[0], accuracy: this.out[1] };
  }

  /**
   * The network's output for x in inference mode (a new tensor, owned by the caller): model.predict's
   * values within float rounding (batch norms after a convolution are folded into its filter).
   */
  predict(x: Tensor): Tensor {
    this.check();
    if (x.dtype !== "float32") throw new Error(`predict: a ${x.dtype} input (the network takes float32)`);
    this.readHandles();
    const b = this.backend;
    const info = b.output(b.addon.forwardProgram(this.program, b.handle(x), this.handles));
    nativeForwards++;
    return engine().makeTensorFromTensorInfo(info);
  }

  /** Mean loss (no penalties, no row weights) and accuracy over every row, in inference mode. */
  evaluate(x: Tensor, y: Tensor, batchSize = 1024): { loss: number; accuracy: number } {
    this.check();
    if (this.inferenceOnly) throw new Error("evaluate: this NativeNetwork was compiled for inference only");
    nativeForwards++;
    this.readHandles();
    const b = this.backend;
    b.addon.evaluateProgram(this.program, b.handle(x), b.handle(y), this.handles, batchSize, this.out);
    return { loss: this.out[0], accuracy: this.out[1] };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.backend.addon.releaseProgram(this.program);
  }

  private check(): void {
    if (this.disposed) throw new Error("this NativeNetwork is disposed");
  }

  private readHandles(): void {
    for (let i = 0; i < this.params.length; i++) this.handles[i] = this.backend.handle(this.params[i].read());
  }

  /**
   * The handle behind a variable that a step may write: the variable's own when no other tensor
   * shares its data, else a copy that the variable is given first (e.g. after an early-stopping
   * snapshot, which shares the variable's data).
   */
  private owned(variable: Variable): Handle {
    const b = this.backend;
    const h = b.exclusiveHandle(variable);
    if (h !== undefined) return h;
    const copy = engine().makeTensorFromTensorInfo(
      b.adopt(b.addon.copy(b.handle(variable)), variable.shape.slice(), variable.dtype),
    );
    variable.assign(copy);
    copy.dispose();
    return b.exclusiveHandle(variable) ?? fail("a variable's data stays shared");
  }
}

function graphOf(model: tfl.LayersModel): GraphInternals {
  const seq = model as unknown as { model?: tfl.LayersModel; build(): void };
  // A Sequential builds its inner functional model lazily (on the first apply, getWeights, …).
  if (model.getClassName() === "Sequential" && seq.model == null) seq.build();
  const inner = seq.model;
  return (inner ?? model) as unknown as GraphInternals;
}

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

/** The network as native ops: its parameters, their L1/L2 coefficients, the loss kind. */
function describe(model: tfl.LayersModel, inference: boolean) {
  const graph = graphOf(model);
  if (graph.inputLayers.length !== 1 || graph.outputLayers.length !== 1)
    fail("more than one input or output");
  const ops: ProgramOp[] = [];
  const params: LayerWeight[] = [];
  const l1: number[] = [];
  const l2: number[] = [];
  const moving: number[] = [];
  const slotOf = new Map<Layer, number>();
  slotOf.set(graph.inputLayers[0], 0);
  const param = (w: LayerWeight | null | undefined, reg?: unknown): number => {
    if (!w) return -1;
    const read = w.read();
    if (read.dtype !== "float32") fail("a weight that is not float32");
    params.push(w);
    const r = reg as Regularizer | null | undefined;
    if (r && r.getClassName() !== "L1L2") fail(`the ${r.getClassName()} regularizer`);
    l1.push(r?.l1 ?? 0);
    l2.push(r?.l2 ?? 0);
    return params.length - 1;
  };
  for (const layer of graph.layers) {
    const L = layer as unknown as LayerInternals;
    const cls = L.getClassName();
    if (cls === "InputLayer") {
      if (layer !== graph.inputLayers[0]) fail("an input layer inside the network");
      continue;
    }
    const nodes = L.inboundNodes.filter((_, k) => graph.containerNodes.has(`${layer.name}_ib-${k}`));
    if (nodes.length !== 1) fail(`layer ${layer.name} is used more than once`);
    const node = nodes[0];
    const inputs = node.inboundLayers.map((l, j) => {
      const s = slotOf.get(l);
      if (s === undefined || node.tensorIndices[j] !== 0) fail(`layer ${layer.name}'s inputs`);
      return s;
    });
    const shapes = (Array.isArray(node.inputShapes[0]) ? node.inputShapes : [node.inputShapes]) as (
      | number
      | null
    )[][];
    const regs = [
      "kernelRegularizer",
      "biasRegularizer",
      "depthwiseRegularizer",
      "gammaRegularizer",
      "betaRegularizer",
    ];
    if (L.activityRegularizer) fail("an activity regularizer");
    const regCount = regs.filter((r) => L[r]).length;
    if (L.losses.length !== regCount) fail(`layer ${layer.name} adds losses of its own`);
    const config = L.getConfig();
    const activation = (): string => {
      const a = L.activation as { getClassName(): string } | undefined;
      return a ? a.getClassName() : "linear";
    };
    let op: ProgramOp;
    switch (cls) {
      case "Dense":
        op = {
          op: "dense",
          in: inputs,
          p: [
            param(L.kernel as LayerWeight, L.kernelRegularizer),
            param(L.bias as LayerWeight, L.biasRegularizer),
          ],
          s: activation(),
        };
        break;
      case "Activation":
        op = { op: "activation", in: inputs, s: activation() };
        break;
      case "ReLU":
        op = { op: "relu", in: inputs, f: [config.maxValue == null ? Number.NaN : num(config, "maxValue")] };
        break;
      case "LeakyReLU":
        op = { op: "leakyrelu", in: inputs, f: [num(config, "alpha")] };
        break;
      case "Softmax":
        if (config.axis !== -1 && !(Array.isArray(config.axis) && config.axis[0] === -1))
          fail("softmax on another axis");
        op = { op: "activation", in: inputs, s: "softmax" };
        break;
      case "Dropout":
        if (config.noiseShape != null) fail("dropout with a noise shape");
        op = { op: "dropout", in: inputs, f: [num(config, "rate")] };
        break;
      case "BatchNormalization": {
        const rank = shapes[0].length;
        const axis = num(config, "axis");
        if (axis !== -1 && axis !== rank - 1) fail("batch norm on an axis other than the last");
        const mm = param(L.movingMean as LayerWeight);
        const mv = param(L.movingVariance as LayerWeight);
        moving.push(mm, mv);
        op = {
          op: "batchnorm",
          in: inputs,
          p: [
            param(L.gamma as LayerWeight, L.gammaRegularizer),
            param(L.beta as LayerWeight, L.betaRegularizer),
            mm,
            mv,
          ],
          f: [num(config, "epsilon"), num(config, "momentum")],
        };
        break;
      }
      case "Conv2D":
      case "DepthwiseConv2D": {
        const depthwise = cls === "DepthwiseConv2D";
        if (config.dataFormat !== "channelsLast") fail("channels-first convolutions");
        const shape = shapes[0];
        if (shape.length !== 4 || shape[1] == null || shape[2] == null)
          fail("a convolution without a static input size");
        const [kh, kw] = pair(config.kernelSize);
        const [sh, sw] = pair(config.strides);
        const [dh, dw] = pair(config.dilationRate ?? 1);
        const same = config.padding === "same";
        if (!same && config.padding !== "valid") fail(`padding ${String(config.padding)}`);
        const [top, bottom] = same ? TFJS_PAD(shape[1], kh, sh, dh) : [0, 0];
        const [left, right] = same ? TFJS_PAD(shape[2], kw, sw, dw) : [0, 0];
        const kernel = depthwise
          ? param(L.depthwiseKernel as LayerWeight, L.depthwiseRegularizer)
          : param(L.kernel as LayerWeight, L.kernelRegularizer);
        op = {
          op: "conv2d",
          in: inputs,
          p: [kernel, param(L.bias as LayerWeight, L.biasRegularizer)],
          s: activation(),
          i: [sh, sw, dh, dw, top, bottom, left, right, depthwise ? 1 : 0],
        };
        break;
      }
      case "MaxPooling2D":
      case "AveragePooling2D": {
        if (config.dataFormat !== "channelsLast") fail("channels-first pooling");
        const shape = shapes[0];
        if (shape.length !== 4 || shape[1] == null || shape[2] == null)
          fail("a pool without a static input size");
        const [kh, kw] = pair(config.poolSize);
        const [sh, sw] = pair(config.strides ?? config.poolSize);
        const same = config.padding === "same";
        const [top, bottom] = same ? TFJS_PAD(shape[1], kh, sh, 1) : [0, 0];
        const [left, right] = same ? TFJS_PAD(shape[2], kw, sw, 1) : [0, 0];
        const max = cls === "MaxPooling2D";
        if (!max && top + bottom + left + right > 0) fail("average pooling with padding");
        op = {
          op: "pool",
          in: inputs,
          s: max ? "max" : "avg",
          i: [kh, kw, sh, sw, top, bottom, left, right],
        };
        break;
      }
      case "GlobalAveragePooling2D":
      case "GlobalMaxPooling2D":
        if (config.dataFormat !== "channelsLast") fail("channels-first pooling");
        if (config.keepDims) fail("global pooling keeping dims");
        op = { op: cls === "GlobalAveragePooling2D" ? "gap" : "gmp", in: inputs };
        break;
      case "Flatten":
        op = { op: "flatten", in: inputs };
        break;
      case "Reshape": {
        const target = config.targetShape as number[];
        op = { op: "reshape", in: inputs, i: target.map((d) => (d == null ? -1 : d)) };
        break;
      }
      case "ZeroPadding2D": {
        if (config.dataFormat !== "channelsLast") fail("channels-first padding");
        const p = config.padding as [[number, number], [number, number]];
        op = { op: "zeropad", in: inputs, i: [p[0][0], p[0][1], p[1][0], p[1][1]] };
        break;
      }
      case "Add":
        op = { op: "add", in: inputs };
        break;
      case "Multiply":
        op = { op: "multiply", in: inputs };
        break;
      case "Concatenate": {
        const rank = shapes[0].length;
        const axis = num(config, "axis");
        op = { op: "concat", in: inputs, i: [axis < 0 ? axis + rank : axis] };
        break;
      }
      default:
        fail(`layer ${cls}`);
    }
    ops.push(op);
    slotOf.set(layer, ops.length);
  }
  if (slotOf.get(graph.outputLayers[0]) !== ops.length) fail("the output is not the last layer");
  if (ops.length === 0) fail("a network without layers");
  const last = ops[ops.length - 1];
  const units = model.outputs[0].shape[1] ?? 1;
  if (inference) return { ops, params, l1, l2, binary: units === 1, moving };
  if (model.outputs[0].shape.length !== 2) fail("an output that is not [batch, classes]");
  const binary = units === 1;
  const ends = binary ? "sigmoid" : "softmax";
  if (last.s !== ends || (last.op !== "dense" && last.op !== "activation" && last.op !== "conv2d"))
    fail(`an output that is not a ${ends}`);
  return { ops, params, l1, l2, binary, moving };
}
