import * as tfl from "@tensorflow/tfjs-layers";
import { backboneLayers } from "./freeze.js";

type Layer = tfl.LayersModel["layers"][number];

/** A backbone split where its frozen trunk ends and its trained top begins (sharing every layer). */
export interface TrunkSplit {
  /** The backbone's input → the last frozen layer's output. */
  readonly trunk: tfl.LayersModel;
  /** The last frozen layer's output → the backbone's output, the same layers applied anew. */
  readonly top: tfl.LayersModel;
  /** The layers applied anew (see releaseCalls). */
  readonly applied: Layer[];
}

/**
 * Undoes the reference counts that symbolic calls of shared layers added (one each): tfjs-layers
 * frees a layer's weights when its count reaches zero, so a helper model built from another
 * model's layers must give its calls back, or the weights outlive the model (and disposing the
 * helper instead would free weights the model still uses).
 */
export function releaseCalls(layers: readonly Layer[]): void {
  for (const layer of layers) (layer as unknown as { _refCount: number })._refCount--;
}

/**
 * Splits a backbone before layer index `start` (of backboneLayers), when the layers from there
 * on read nothing below it but the one tensor the layer before them outputs: true of chains
 * like darknet, false where a skip connection crosses the split (then undefined: the caller
 * trains on whole images). The top re-applies the backbone's own layers to a new input, so
 * training it trains the backbone.
 */
export function splitAtLayer(backbone: tfl.LayersModel, start: number): TrunkSplit | undefined {
  const layers = backboneLayers(backbone);
  if (start <= 0 || start >= layers.length) return undefined;
  const cut = layers[start - 1].output;
  if (Array.isArray(cut)) return undefined;
  const trunk = tfl.model({ inputs: backbone.inputs, outputs: cut, name: `${backbone.name}_trunk` });
  const input = tfl.input({ shape: cut.shape.slice(1) as number[], name: "trunk_features" });
  const mapped = new Map<number, tfl.SymbolicTensor>([[cut.id, input]]);
  const applied: Layer[] = [];
  const top = layers.slice(start);
  if (
    !top.every((layer) =>
      inboundTensors(layer)?.every((t) => t.id === cut.id || top.some((l) => l.output === t)),
    )
  )
    return undefined;
  for (const layer of top) {
    const inputs = inboundTensors(layer);
    if (!inputs?.every((t) => mapped.has(t.id))) {
      releaseCalls(applied);
      return undefined;
    }
    const original = layer.output; // read before apply adds a second node
    const args = inputs.map((t) => mapped.get(t.id) as tfl.SymbolicTensor);
    const out = layer.apply(args.length === 1 ? args[0] : args);
    applied.push(layer);
    if (Array.isArray(out) || Array.isArray(original)) {
      releaseCalls(applied);
      return undefined;
    }
    mapped.set(original.id, out as tfl.SymbolicTensor);
  }
  const output = mapped.get((backbone.outputs[0] as tfl.SymbolicTensor).id);
  if (!output) {
    releaseCalls(applied);
    return undefined;
  }
  return { trunk, top: tfl.model({ inputs: input, outputs: output, name: `${backbone.name}_top` }), applied };
}

/** The tensors a layer read when the backbone was built (its first node). */
function inboundTensors(layer: Layer): tfl.SymbolicTensor[] | undefined {
  const nodes = (layer as unknown as { inboundNodes: { inputTensors: tfl.SymbolicTensor[] }[] }).inboundNodes;
  return nodes.length === 1 ? nodes[0].inputTensors : undefined;
}
