import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";

/*
 * A TF.js network run node by node, eagerly, so that one layer's output can be read and replaced
 * inside nested models (a transfer network holds its backbone and head as models used as layers):
 * what Grad-CAM differentiates through. It follows tfjs-layers' own Container.runInternalGraph
 * (the nodes of each model by decreasing depth, each layer's `call` on concrete tensors, in
 * inference mode), reading the same internal fields it reads.
 */

export type Layer = tfl.LayersModel["layers"][number];

interface GraphNode {
  readonly outboundLayer: Layer;
  readonly inputTensors: readonly tfl.SymbolicTensor[];
  readonly outputTensors: readonly tfl.SymbolicTensor[];
  readonly callArgs?: Record<string, unknown>;
}

/** A model's graph as tfjs-layers keeps it (a Sequential mirrors its inner model's). */
interface Graph {
  readonly inputs: readonly tfl.SymbolicTensor[];
  readonly outputs: readonly tfl.SymbolicTensor[];
  readonly layers: readonly Layer[];
  readonly nodesByDepth: Record<string, readonly GraphNode[]>;
}

/** Layer classes whose output is a convolution's. */
const CONVOLUTIONS = new Set(["Conv2D", "DepthwiseConv2D", "SeparableConv2D"]);

/** A model used as a layer, as a graph (undefined for a plain layer). */
function asGraph(layer: Layer | tfl.LayersModel): Graph | undefined {
  const g = layer as unknown as Partial<Graph>;
  return g.nodesByDepth && Array.isArray(g.layers) && Array.isArray(g.inputs) ? (g as Graph) : undefined;
}

/** Every plain layer of a model, nested models' layers in their place, in the order they run. */
export function flatLayers(model: tfl.LayersModel): Layer[] {
  const graph = asGraph(model);
  if (!graph) return [];
  return graph.layers.flatMap((layer) => (asGraph(layer) ? flatLayers(layer as tfl.LayersModel) : [layer]));
}

/** The convolutional layers of a model (nested ones included), in the order they run. */
export function convolutionLayers(model: tfl.LayersModel): Layer[] {
  return flatLayers(model).filter((l) => CONVOLUTIONS.has(l.getClassName()));
}

/** A layer's output is a feature map ([batch, height, width, channels]). */
export function isSpatial(layer: Layer): boolean {
  // The first node's: a layer shared by a helper model (a fine-tuning split) has several.
  const nodes = (layer as unknown as { inboundNodes: readonly GraphNode[] }).inboundNodes;
  const out = nodes[0]?.outputTensors;
  return out?.length === 1 && out[0].shape.length === 4;
}

/** What one run of the graph reads and replaces. */
export interface GraphRun {
  /** The layer whose output is read (and replaced when `replacement` is given). */
  readonly target: Layer;
  /** Used as the target's output instead of computing it. */
  readonly replacement?: tf.Tensor;
  /** Set to the target's output (the replacement when there is one). */
  activation?: tf.Tensor;
  /** Whether the output is the last layer's scores before its softmax or sigmoid (set by the run). */
  logits?: boolean;
}

/**
 * Runs `model` on `x` in inference mode; with `logits`, the last dense layer's softmax or sigmoid
 * is left out where the output comes straight from one (run.logits says whether it was). Tensors
 * it makes are the caller's (run it inside tf.tidy or tf.grad).
 */
export function runGraph(model: tfl.LayersModel, x: tf.Tensor, run: GraphRun, logits: boolean): tf.Tensor {
  const graph = asGraph(model);
  if (!graph) throw new Error(`${model.name} is not a layers model`);
  run.logits = false;
  return runNested(graph, [x], run, logits)[0];
}

function runNested(graph: Graph, inputs: readonly tf.Tensor[], run: GraphRun, logits: boolean): tf.Tensor[] {
  const values = new Map<number, tf.Tensor>();
  for (const [i, t] of graph.inputs.entries()) values.set(t.id, inputs[i]);
  const outputId = graph.outputs[0].id;
  const depths = Object.keys(graph.nodesByDepth)
    .map(Number)
    .sort((a, b) => b - a);
  for (const depth of depths) {
    for (const node of graph.nodesByDepth[depth]) {
      const args = node.inputTensors.map((t) => values.get(t.id));
      if (args.some((a) => a === undefined)) continue;
      const given = args as tf.Tensor[];
      const last = logits && node.outputTensors.some((t) => t.id === outputId);
      const outputs = runNode(node, given, run, last);
      for (const [i, t] of node.outputTensors.entries()) values.set(t.id, outputs[i]);
    }
  }
  return graph.outputs.map((t) => {
    const value = values.get(t.id);
    if (!value) throw new Error(`could not compute ${t.name}`);
    return value;
  });
}

function runNode(node: GraphNode, inputs: tf.Tensor[], run: GraphRun, last: boolean): tf.Tensor[] {
  const layer = node.outboundLayer;
  if (layer === run.target) {
    run.activation = run.replacement ?? callLayer(node, inputs)[0];
    return [run.activation];
  }
  const nested = asGraph(layer);
  if (nested) return runNested(nested, inputs, run, last);
  if (last) {
    const scores = beforeSquashing(layer, inputs);
    if (scores) {
      run.logits = true;
      return [scores];
    }
  }
  return callLayer(node, inputs);
}

function callLayer(node: GraphNode, inputs: tf.Tensor[]): tf.Tensor[] {
  const kwargs = { ...(node.callArgs ?? {}), training: false };
  const out = node.outboundLayer.call(inputs.length === 1 ? inputs[0] : inputs, kwargs);
  return Array.isArray(out) ? out : [out];
}

/**
 * A dense layer's (or a softmax or sigmoid activation layer's) input to its softmax or sigmoid;
 * undefined for any other layer.
 */
function beforeSquashing(layer: Layer, inputs: tf.Tensor[]): tf.Tensor | undefined {
  const config = layer.getConfig() as { activation?: unknown };
  const squashing = config.activation === "softmax" || config.activation === "sigmoid";
  if (!squashing || inputs.length !== 1) return undefined;
  if (layer.getClassName() === "Activation") return inputs[0];
  if (layer.getClassName() !== "Dense") return undefined;
  const [kernel, bias] = layer.getWeights();
  const z = tf.matMul(inputs[0] as tf.Tensor2D, kernel as tf.Tensor2D);
  return bias ? tf.add(z, bias) : z;
}
