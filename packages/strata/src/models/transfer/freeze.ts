import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../../errors.js";

type Layer = tfl.LayersModel["layers"][number];

/** Layers whose weights make a block's computation (batch norm and activations follow them). */
const WEIGHTED = new Set(["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose", "Dense"]);

/** What stays frozen: "all", the first N layers, or every layer up to and including a named one. */
export type FreezeSpec = "all" | number | string;

/** The backbone's layers without its input layer, in order. */
export function backboneLayers(backbone: tfl.LayersModel): Layer[] {
  return backbone.layers.filter((l) => l.getClassName() !== "InputLayer");
}

/** How many of the backbone's layers `spec` freezes (a StrataError for a bad count or name). */
export function frozenCount(backbone: tfl.LayersModel, spec: FreezeSpec): number {
  const layers = backboneLayers(backbone);
  if (spec === "all") return layers.length;
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec < 0)
      throw new StrataError(`freeze: expected "all", a layer count >= 0 or a layer name, got ${spec}`);
    if (spec > layers.length)
      throw new StrataError(`freeze: cannot freeze ${spec} layers, the backbone has ${layers.length}`);
    return spec;
  }
  const i = layers.findIndex((l) => l.name === spec);
  if (i === -1)
    throw new StrataError(
      `freeze: ${unknownLayer(
        spec,
        layers.map((l) => l.name),
      )}`,
    );
  return i + 1;
}

/**
 * The index of the first layer of the top `k` blocks (a block: one weighted layer, a convolution
 * or dense layer, and the batch norm, activation and pooling layers after it).
 */
export function topBlocksStart(backbone: tfl.LayersModel, k: number): number {
  const layers = backboneLayers(backbone);
  if (k <= 0) return layers.length;
  const starts = layers.flatMap((l, i) => (WEIGHTED.has(l.getClassName()) ? [i] : []));
  if (k > starts.length)
    throw new StrataError(`fine-tune: the backbone has ${starts.length} blocks, cannot unfreeze ${k}`);
  return starts[starts.length - k];
}

/** Freezes the backbone's first `count` layers and unfreezes the rest (Keras' `layer.trainable`). */
export function freezeFirst(backbone: tfl.LayersModel, count: number): void {
  backbone.trainable = true;
  backboneLayers(backbone).forEach((layer, i) => {
    layer.trainable = i >= count;
  });
}

/** "no layer "x"; did you mean "y"?" with the closest name by edit distance. */
export function unknownLayer(name: string, names: readonly string[]): string {
  const nearest = [...names].sort((a, b) => editDistance(name, a) - editDistance(name, b))[0];
  return `no layer named "${name}"${nearest ? `; did you mean "${nearest}"?` : ""} (${names.length} layers)`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}
