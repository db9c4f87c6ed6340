import * as tfl from "@tensorflow/tfjs-layers";
import type { Group } from "h5wasm";
import { StrataError } from "../../errors.js";
import type { LayerWeights } from "./assign.js";
import { getDataset, getGroup, readFloats } from "./h5.js";

/** Keras 3's `naming.to_snake_case`, which names each layer's group in a `.weights.h5`. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** Layer names per container (by container name), in the saved model's order: from its config. */
export type LayerOrder = ReadonlyMap<string, readonly string[]>;

/**
 * Finds the arrays for every layer of `model` in a Keras 3 weights file. Keras 3 does NOT key
 * layers by name: each container's `layers` list is walked in order, and a layer's group is its
 * class name in snake case, numbered from the second of a class on: `layers/dense/vars/0`,
 * `layers/dense_1/vars/0`, …; nested models recurse (`layers/functional/layers/conv2d/vars/0`).
 * TF-Keras 2.13–2.15 files used `_layer_checkpoint_dependencies/<layer name>` and are read too.
 * `order` gives each container's layer order when it may differ from tfjs-layers' own.
 */
export function keras3Weights(
  h5: Group,
  model: tfl.LayersModel,
  label: string,
  order?: LayerOrder,
): LayerWeights[] {
  const out: LayerWeights[] = [];
  collect(h5, model, "layers", out, label, order);
  return out;
}

function collect(
  h5: Group,
  container: tfl.LayersModel,
  prefix: string,
  out: LayerWeights[],
  label: string,
  order: LayerOrder | undefined,
): void {
  const used = new Map<string, number>();
  for (const layer of ordered(container, order)) {
    const base = toSnakeCase(kerasClassName(layer));
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    const key = n === undefined ? base : `${base}_${n + 1}`;
    const path = `${prefix}/${key}`;
    if (layer instanceof tfl.LayersModel) {
      collect(h5, layer, `${path}/layers`, out, label, order);
      continue;
    }
    if (layer.weights.length === 0) continue;
    const vars = findVars(h5, prefix, key, layer.name);
    if (vars === undefined) {
      throw new StrataError(
        `${label}: no weights for layer "${layer.name}" (${layer.getClassName()}) at "${path}/vars"`,
      );
    }
    const count = vars.keys().length;
    const weights = layer.weights.map((_, i) => {
      const ds = getDataset(vars, String(i));
      if (ds === undefined) {
        throw new StrataError(
          `${label}: layer "${layer.name}" needs ${layer.weights.length} weights but "${path}/vars" has ${count}`,
        );
      }
      return { name: `${path}/vars/${i}`, ...readFloats(ds, label) };
    });
    if (count !== weights.length) {
      throw new StrataError(
        `${label}: layer "${layer.name}" has ${weights.length} weights in the model but "${path}/vars" has ${count}`,
      );
    }
    out.push({ layer, weights });
  }
}

/** tfjs-layers calls a functional model "Model"; Keras 3 calls it "Functional". */
function kerasClassName(layer: tfl.layers.Layer): string {
  const name = layer.getClassName();
  return name === "Model" ? "Functional" : name;
}

function ordered(container: tfl.LayersModel, order: LayerOrder | undefined): tfl.layers.Layer[] {
  const layers = container.layers;
  const names = order?.get(container.name);
  if (!names) return layers;
  const rank = (l: tfl.layers.Layer) => {
    const i = names.indexOf(l.name);
    return i < 0 ? names.length : i;
  };
  return [...layers].sort((a, b) => rank(a) - rank(b));
}

/** Keras 3's path first, then the TF-Keras 2.13–2.15 variants (keyed by class or by layer name). */
function findVars(h5: Group, prefix: string, key: string, layerName: string): Group | undefined {
  const legacy = prefix.replace(/(^|\/)layers(?=\/|$)/g, "$1_layer_checkpoint_dependencies");
  for (const p of [
    `${prefix}/${key}`,
    `${legacy}/${key}`,
    `${legacy}/${layerName}`,
    `${prefix}/${layerName}`,
  ]) {
    const g = getGroup(h5, `${p}/vars`);
    if (g !== undefined) return g;
  }
  return undefined;
}
