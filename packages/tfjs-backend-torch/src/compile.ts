// The compiler of the native step: a tfjs-layers network -> the program the addon runs (the ops,
// in the order of the graph's layers, as program.ts's records; the weights they read; the loss
// kind). The addon decodes it once (native/step_decode.cc). The runtime is network.ts.
import type * as tfl from "@tensorflow/tfjs-layers";
import { type LayerContext, type LayerInternals, type LayerWeight, layerOp } from "./compile-layers.js";
import type { ProgramOp, ProgramSpec, StepLoss } from "./program.js";
import { fail } from "./unsupported.js";

type Layer = tfl.LayersModel["layers"][number];
interface LayerNode {
  inboundLayers: Layer[];
  tensorIndices: number[];
  inputShapes: (number | null)[] | (number | null)[][];
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

/** A compiled network: the program, and the model's weights it reads in its parameter order. */
export interface CompiledNetwork {
  readonly spec: ProgramSpec;
  readonly params: LayerWeight[];
  /** Indices of params that a training step writes besides the trained ones (batch-norm moving statistics). */
  readonly moving: number[];
}

const REGULARIZERS = [
  "kernelRegularizer",
  "biasRegularizer",
  "depthwiseRegularizer",
  "gammaRegularizer",
  "betaRegularizer",
];

function graphOf(model: tfl.LayersModel): GraphInternals {
  const seq = model as unknown as { model?: tfl.LayersModel; build(): void };
  // A Sequential builds its inner functional model lazily (on the first apply, getWeights, …).
  if (model.getClassName() === "Sequential" && seq.model == null) seq.build();
  const inner = seq.model;
  return (inner ?? model) as unknown as GraphInternals;
}

/** What compiling one network accumulates: the ops, the weights they read and their penalties. */
class ProgramBuilder {
  readonly ops: ProgramOp[] = [];
  readonly params: LayerWeight[] = [];
  readonly l1: number[] = [];
  readonly l2: number[] = [];
  readonly moving: number[] = [];

  param(weight: unknown, reg?: unknown): number {
    const w = weight as LayerWeight | null | undefined;
    if (!w) return -1;
    const read = w.read();
    if (read.dtype !== "float32") fail("a weight that is not float32");
    this.params.push(w);
    const r = reg as Regularizer | null | undefined;
    if (r && r.getClassName() !== "L1L2") fail(`the ${r.getClassName()} regularizer`);
    this.l1.push(r?.l1 ?? 0);
    this.l2.push(r?.l2 ?? 0);
    return this.params.length - 1;
  }

  /**
   * Appends the ops of `graph`, whose input reads value slot `input`; returns the slot of its
   * output. A model used as a layer (a transfer network's backbone, its head) is inlined: its
   * own layers become ops of this program, so the whole network is one program.
   */
  inline(graph: GraphInternals, input: number): number {
    if (graph.inputLayers.length !== 1 || graph.outputLayers.length !== 1)
      fail("more than one input or output");
    const slotOf = new Map<Layer, number>([[graph.inputLayers[0], input]]);
    for (const layer of graph.layers) {
      const L = layer as unknown as LayerInternals & { inboundNodes: LayerNode[] };
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
      if (isModel(layer)) {
        if (inputs.length !== 1) fail(`model ${layer.name} with more than one input`);
        slotOf.set(layer, this.inline(graphOf(layer), inputs[0]));
        continue;
      }
      this.ops.push(layerOp(cls, this.context(L, inputs, node)));
      slotOf.set(layer, this.ops.length);
    }
    const output = slotOf.get(graph.outputLayers[0]);
    if (output === undefined) fail("an output that no layer computes");
    return output;
  }

  private context(L: LayerInternals, inputs: number[], node: LayerNode): LayerContext {
    const shapes = (Array.isArray(node.inputShapes[0]) ? node.inputShapes : [node.inputShapes]) as (
      | number
      | null
    )[][];
    if (L.activityRegularizer) fail("an activity regularizer");
    const regCount = REGULARIZERS.filter((r) => L[r]).length;
    if (L.losses.length !== regCount) fail(`layer ${String(L.name)} adds losses of its own`);
    return {
      layer: L,
      config: L.getConfig(),
      inputs,
      shapes,
      param: (w, reg) => this.param(w, reg),
      moving: (w) => {
        const i = this.param(w);
        this.moving.push(i);
        return i;
      },
    };
  }
}

/** A model used as a layer of another (tfjs-layers' Container: Sequential, functional). */
function isModel(layer: Layer): layer is Layer & tfl.LayersModel {
  return (layer as unknown as Partial<GraphInternals>).containerNodes instanceof Set;
}

/** The loss a training program computes (absent: cross-entropy), and Huber's delta (default 1). */
export interface LossOptions {
  readonly loss?: StepLoss;
  readonly huberDelta?: number;
}

/**
 * The network as a program, or throws Unsupported with the first thing that has no native version.
 * With `inference`, the network may end in any output; otherwise, for cross-entropy, in a softmax
 * (categorical) or a one-unit sigmoid (binary), and for "mse" or "huber" in a linear output.
 */
export function compileNetwork(
  model: tfl.LayersModel,
  inference: boolean,
  options: LossOptions = {},
): CompiledNetwork {
  const b = new ProgramBuilder();
  const output = b.inline(graphOf(model), 0);
  const { ops, params, l1, l2, moving } = b;
  if (ops.length === 0) fail("a network without layers");
  if (output !== ops.length) fail("the output is not the last layer");
  const last = ops[ops.length - 1];
  const units = model.outputs[0].shape[1] ?? 1;
  const loss = options.loss ?? "crossentropy";
  const compiled = (binary: boolean): CompiledNetwork => {
    const spec: ProgramSpec = { ops, l1, l2, binary };
    // Only a regression loss goes on the wire: a cross-entropy spec stays what it always was.
    if (!inference && loss !== "crossentropy") spec.loss = loss;
    if (!inference && loss === "huber") spec.huberDelta = options.huberDelta ?? 1;
    return { spec, params, moving };
  };
  if (inference) return compiled(units === 1);
  if (loss !== "crossentropy" && loss !== "mse" && loss !== "huber") fail(`the loss ${String(loss)}`);
  const regression = loss !== "crossentropy";
  if (model.outputs[0].shape.length !== 2)
    fail(regression ? "an output that is not [batch, outputs]" : "an output that is not [batch, classes]");
  const binary = !regression && units === 1;
  const ends = regression ? "linear" : binary ? "sigmoid" : "softmax";
  const activation =
    last.op === "dense" || last.op === "activation" || last.op === "conv2d" ? last.activation : null;
  if (activation !== ends) fail(`an output that is not ${regression ? "linear" : `a ${ends}`}`);
  return compiled(binary);
}
