import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../errors.js";
import type { GraphBuilder } from "./onnx-graph.js";

/**
 * How the graph holds an image-like value ([height, width, channels] after the batch): as TF.js
 * does (NHWC), or transposed for ONNX's convolutions and pooling, which read NCHW. A value of
 * any other rank is always held as TF.js holds it ("nhwc").
 */
export type Layout = "nhwc" | "nchw";

/** A tensor of the network being converted. */
export interface Value {
  readonly name: string;
  /** TF.js's shape without the batch dimension, e.g. [h, w, c] or [units]. */
  readonly shape: readonly number[];
  readonly layout: Layout;
}

/** What converts one layer: its ONNX nodes from its inputs, given TF.js's output shape (no batch). */
export type LayerConverter = (
  g: GraphBuilder,
  layer: tfl.layers.Layer,
  inputs: readonly Value[],
  shape: readonly number[],
) => Value;

/** A value that is an image-like 4-D tensor. */
export function isImage(v: Value): boolean {
  return v.shape.length === 3;
}

/** Each value's transposed twin, so a value read in both layouts is transposed once. */
const transposed = new WeakMap<GraphBuilder, Map<string, string>>();

function relayout(g: GraphBuilder, v: Value, layout: Layout): Value {
  if (!isImage(v) || v.layout === layout) return v;
  const seen = transposed.get(g) ?? new Map<string, string>();
  transposed.set(g, seen);
  const key = `${v.name}\0${layout}`;
  let name = seen.get(key);
  if (name === undefined) {
    name = g.op("Transpose", [v.name], { perm: { ints: layout === "nchw" ? [0, 3, 1, 2] : [0, 2, 3, 1] } });
    seen.set(key, name);
  }
  return { name, shape: v.shape, layout };
}

/** The value as NCHW (ONNX's convolutions, pooling, batch normalisation). */
export function toNchw(g: GraphBuilder, v: Value): Value {
  return relayout(g, v, "nchw");
}

/** The value as TF.js holds it (flattening, reshaping, matrix products on the last axis). */
export function toNhwc(g: GraphBuilder, v: Value): Value {
  return relayout(g, v, "nhwc");
}

/** Values combined elementwise or concatenated: all in one layout (theirs if they agree, else NCHW). */
export function oneLayout(g: GraphBuilder, values: readonly Value[]): Value[] {
  const layout = values.every((v) => v.layout === values[0].layout) ? values[0].layout : "nchw";
  return values.map((v) => relayout(g, v, layout));
}

/** The ONNX axis of TF.js's `axis` (batch 0; negative counts from the end) in the value's layout. */
export function onnxAxis(v: Value, axis: number): number {
  const rank = v.shape.length + 1;
  const a = axis < 0 ? axis + rank : axis;
  return isImage(v) && v.layout === "nchw" ? [0, 2, 3, 1][a] : a;
}

/** The ONNX axis of the channels (TF.js's last axis). */
export function channelAxis(v: Value): number {
  return onnxAxis(v, -1);
}

/** A layer's config as TF.js serialises it (camelCase keys). */
export function configOf(layer: tfl.layers.Layer): Record<string, unknown> {
  return layer.getConfig() as Record<string, unknown>;
}

/** A layer's weights in TF.js's order, as float32 arrays. */
export function weightsOf(layer: tfl.layers.Layer): Float32Array[] {
  return layer.getWeights().map((w) => w.dataSync() as Float32Array);
}

/** A StrataError about a layer: `layer "name" (Class): what`. */
export function layerError(layer: tfl.layers.Layer, what: string): StrataError {
  return new StrataError(`layer "${layer.name}" (${layer.getClassName()}): ${what}`);
}
