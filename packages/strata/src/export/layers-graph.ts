import * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../errors.js";
import { CONV_LAYERS } from "./conv-layers-graph.js";
import { binaryProbabilities } from "./heads.js";
import { OP_LAYERS } from "./layer-ops-graph.js";
import { type LayerConverter, layerError, type Value } from "./layer-values.js";
import type { GraphBuilder } from "./onnx-graph.js";

/*
 * A TF.js layers model (functional or sequential, with models nested in it as layers, as every
 * transfer network nests its backbone) as ONNX nodes, walked as tfjs-layers runs it at predict
 * time (Container.runInternalGraph): the container's own nodes by decreasing depth, each node's
 * layer applied to the values of its input tensors. Image values are moved to NCHW where an ONNX
 * operator needs it and back where TF.js's order matters (layer-values.ts).
 */

/** Every layer class strata exports, by TF.js class name. */
const CONVERTERS: Readonly<Record<string, LayerConverter>> = { ...OP_LAYERS, ...CONV_LAYERS };

/** What the walk reads of a node of a container's graph. */
interface GraphNode {
  readonly outboundLayer: tfl.layers.Layer;
  readonly inputTensors: readonly tfl.SymbolicTensor[];
  readonly outputTensors: readonly tfl.SymbolicTensor[];
}

/** What the walk reads of a container: a functional or sequential model, also when used as a layer. */
interface Container {
  readonly name: string;
  readonly inputs: readonly tfl.SymbolicTensor[];
  readonly outputs: readonly tfl.SymbolicTensor[];
  readonly nodesByDepth: Readonly<Record<string, readonly GraphNode[]>>;
}

function isContainer(layer: object): layer is Container {
  const c = layer as Partial<Container>;
  return typeof c.nodesByDepth === "object" && c.nodesByDepth !== null && Array.isArray(c.inputs);
}

/** The layer classes strata exports, for messages. */
export function exportedLayerClasses(): string[] {
  return Object.keys(CONVERTERS).sort();
}

/** TF.js's output shape of `layer` on these inputs, without the batch; every side known. */
function outputShape(layer: tfl.layers.Layer, inputs: readonly Value[]): number[] {
  const given = inputs.map((v) => [null, ...v.shape]);
  const shape = layer.computeOutputShape(given.length === 1 ? given[0] : given);
  if (Array.isArray(shape[0])) throw layerError(layer, "a layer with several outputs cannot be exported");
  const dims = (shape as (number | null)[]).slice(1);
  if (!dims.every((d): d is number => typeof d === "number" && d >= 0))
    throw layerError(layer, `its output shape ${JSON.stringify(shape)} is not fully known`);
  return dims;
}

function convert(g: GraphBuilder, layer: tfl.layers.Layer, inputs: readonly Value[]): Value {
  const kind = layer.getClassName();
  const converter = CONVERTERS[kind];
  if (!converter)
    throw new StrataError(
      `layer "${layer.name}" (${kind}) cannot be exported to ONNX; strata exports ${exportedLayerClasses().join(", ")} layers and models nested as layers`,
    );
  return converter(g, layer, inputs, outputShape(layer, inputs));
}

function walk(g: GraphBuilder, model: Container, inputs: readonly Value[]): Value[] {
  // A Sequential model (e.g. one read from model.json) makes its graph on first use, as predict does.
  if (model instanceof tfl.Sequential && !model.built) model.build();
  if (model.inputs.length !== inputs.length)
    throw new StrataError(`model "${model.name}" takes ${model.inputs.length} inputs, not ${inputs.length}`);
  const values = new Map<number, Value>(model.inputs.map((t, i) => [t.id, inputs[i]]));
  const depths = Object.keys(model.nodesByDepth)
    .map(Number)
    .sort((a, b) => b - a);
  for (const depth of depths) {
    for (const node of model.nodesByDepth[depth]) {
      const given = node.inputTensors.map((t) => values.get(t.id));
      // As runInternalGraph: a node whose inputs this container does not compute is skipped.
      if (!given.every((v): v is Value => v !== undefined)) continue;
      const layer = node.outboundLayer;
      const outputs = isContainer(layer) ? walk(g, layer, given) : [convert(g, layer, given)];
      if (outputs.length !== node.outputTensors.length)
        throw layerError(
          layer,
          `gives ${outputs.length} outputs where its node has ${node.outputTensors.length}`,
        );
      for (const [i, t] of node.outputTensors.entries()) values.set(t.id, outputs[i]);
    }
  }
  return model.outputs.map((t) => {
    const v = values.get(t.id);
    if (!v) throw new StrataError(`model "${model.name}": output ${t.name} is not computed from its inputs`);
    return v;
  });
}

/** The model's outputs as ONNX values, from values for its inputs. */
export function addLayersModel(g: GraphBuilder, model: tfl.LayersModel, inputs: readonly Value[]): Value[] {
  return walk(g, model as unknown as Container, inputs);
}

/**
 * A classifier network's probabilities [rows, classes] in its class order from its one input:
 * its softmax as the network has it, or for a single sigmoid output (two classes) [1 − p, p], as
 * strata's probaFromOutputs.
 */
export function addClassifierNetwork(g: GraphBuilder, network: tfl.LayersModel, input: Value): string {
  const outputs = addLayersModel(g, network, [input]);
  const out = outputs[0];
  if (outputs.length !== 1 || out.shape.length !== 1)
    throw new StrataError(`network "${network.name}" does not end in one [rows, classes] output`);
  return out.shape[0] === 1 ? binaryProbabilities(g, out.name) : out.name;
}
