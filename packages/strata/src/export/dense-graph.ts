import type * as tfl from "@tensorflow/tfjs-layers";
import { addClassifierNetwork } from "./layers-graph.js";
import type { GraphBuilder } from "./onnx-graph.js";

/**
 * A dense network's probabilities from the [rows, features] matrix, layer by layer as TF.js runs
 * it at predict time (layers-graph.ts): Dense, BatchNormalization with its moving statistics,
 * Activation, Dropout (nothing at predict time). A single sigmoid output (two classes) becomes
 * [1 - p, p].
 */
export function addDenseNetwork(g: GraphBuilder, network: tfl.LayersModel, features: string): string {
  const width = network.inputs[0].shape[1] ?? 0;
  return addClassifierNetwork(g, network, { name: features, shape: [width], layout: "nhwc" });
}
