import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../../errors.js";

/** A Keras 2 style layer entry, as tfjs-layers reads it: `{ class_name, config, name?, inbound_nodes? }`. */
export interface LayerJson {
  class_name: string;
  config: Record<string, unknown> | LayerJson[];
  name?: string;
  inbound_nodes?: unknown[];
}

/** A Keras 2 style topology, possibly wrapped as `{ model_config, keras_version, ... }`. */
export type TopologyJson = LayerJson | { model_config: LayerJson; [key: string]: unknown };

const CONTAINERS = new Set(["Sequential", "Model", "Functional"]);
const WRAPPERS = new Set(["TimeDistributed", "Bidirectional"]);

/** The model config inside a topology (unwraps `model_config`). */
export function modelConfig(topology: TopologyJson): LayerJson {
  return "model_config" in topology ? topology.model_config : topology;
}

/** The layer class names tfjs-layers can build (its serialization registry, layers only). */
export function supportedLayerClasses(): string[] {
  const map = tf.serialization.SerializationMap.getMap().classNameMap;
  const base = tfl.layers.Layer as unknown as abstract new (...args: never[]) => unknown;
  return Object.keys(map)
    .filter((name) => (map[name][0] as unknown as { prototype: unknown }).prototype instanceof base)
    .filter((name) => !CONTAINERS.has(name))
    .sort();
}

/** The layers of a container config: Sequential and Functional, old (a bare list) and new. */
export function containerLayers(layer: LayerJson): LayerJson[] {
  if (Array.isArray(layer.config)) return layer.config;
  const layers = layer.config.layers;
  return Array.isArray(layers) ? (layers as LayerJson[]) : [];
}

/** Every layer config, depth first, nested models and wrapped layers included. */
export function* walkLayers(layer: LayerJson): Generator<LayerJson> {
  yield layer;
  if (CONTAINERS.has(layer.class_name)) {
    for (const child of containerLayers(layer)) yield* walkLayers(child);
  } else if (WRAPPERS.has(layer.class_name) && !Array.isArray(layer.config)) {
    const inner = layer.config.layer as LayerJson | undefined;
    if (inner?.class_name) yield* walkLayers(inner);
  }
}

/**
 * Throws a StrataError when the topology uses a layer class tfjs-layers does not have, naming
 * it (and the layer) and listing the classes it does support.
 */
export function checkLayerClasses(topology: TopologyJson, label: string): void {
  const known = new Set([...supportedLayerClasses(), ...CONTAINERS]);
  for (const layer of walkLayers(modelConfig(topology))) {
    if (typeof layer.class_name !== "string") {
      throw new StrataError(
        `${label}: a layer entry has no class_name; this is not a Keras/TF.js layers topology`,
      );
    }
    if (!known.has(layer.class_name)) {
      const name = layerName(layer);
      throw new StrataError(
        `${label}: unknown layer class "${layer.class_name}"${name ? ` (layer "${name}")` : ""}; ` +
          `tfjs-layers supports: ${supportedLayerClasses().join(", ")}`,
      );
    }
  }
}

export function layerName(layer: LayerJson): string | undefined {
  if (layer.name) return layer.name;
  return Array.isArray(layer.config) ? undefined : (layer.config.name as string | undefined);
}

/** `inputSize` as [height, width]: a number means a square. */
export function toHeightWidth(size: number | readonly [number, number]): [number, number] {
  const [h, w] = typeof size === "number" ? [size, size] : size;
  for (const v of [h, w]) {
    if (!Number.isInteger(v) || v < 1)
      throw new StrataError(`input size must be whole numbers >= 1, got ${String(size)}`);
  }
  return [h, w];
}

const SIZE_BOUND = new Set(["Flatten", "Reshape"]);

/**
 * A copy of the topology whose image input is `height × width` (channels kept): the InputLayer's
 * `batch_input_shape` for functional models, the first layer's for Sequential ones. Only fully
 * convolutional networks can change size (the weights do not depend on it); a Flatten or Reshape
 * of spatial features makes the next weights depend on the size, so those are refused.
 */
export function withInputSize(topology: TopologyJson, size: [number, number], label: string): TopologyJson {
  const copy = structuredClone(topology);
  const root = modelConfig(copy);
  const shapes = inputShapeSlots(root);
  if (shapes.length === 0)
    throw new StrataError(`${label}: cannot find the model's input shape to change it`);
  let changed = false;
  for (const config of shapes) {
    const shape = config.batch_input_shape as (number | null)[];
    if (shape.length !== 4) {
      throw new StrataError(`${label}: the input has shape [${shape.join(",")}], not an image [batch,h,w,c]`);
    }
    if (shape[1] !== size[0] || shape[2] !== size[1]) changed = true;
    config.batch_input_shape = [shape[0], size[0], size[1], shape[3]];
  }
  if (changed) {
    const bound = sizeBoundLayer(copy);
    if (bound) {
      const [h, w] = originalSize(topology);
      throw new StrataError(
        `${label}: cannot change the input size to ${size[0]}x${size[1]}: the network is not fully convolutional ` +
          `(layer "${layerName(bound)}" is a ${bound.class_name}, whose weights after it depend on the size); ` +
          `use its own input size ${h}x${w}`,
      );
    }
  }
  return copy;
}

/**
 * The first layer that makes later weights depend on the image size (a Flatten or Reshape of a
 * feature map), or undefined for a fully convolutional network.
 */
export function sizeBoundLayer(topology: TopologyJson): LayerJson | undefined {
  const root = modelConfig(topology);
  return [...walkLayers(root)].find((l) => SIZE_BOUND.has(l.class_name) && !isGlobalFed(root, l));
}

/** The model's own [height, width], from its first input. */
export function originalSize(topology: TopologyJson): [number, number] {
  const slot = inputShapeSlots(modelConfig(topology))[0];
  const shape = (slot?.batch_input_shape ?? []) as (number | null)[];
  return [shape[1] ?? 0, shape[2] ?? 0];
}

/** The first input's declared shape, batch dimension first (an image network's is rank 4), if declared. */
export function declaredInputShape(topology: TopologyJson): readonly (number | null)[] | undefined {
  const slot = inputShapeSlots(modelConfig(topology))[0];
  return slot?.batch_input_shape as (number | null)[] | undefined;
}

/** The configs holding `batch_input_shape` for the model's inputs. */
function inputShapeSlots(root: LayerJson): Record<string, unknown>[] {
  const layers = containerLayers(root);
  const inputs = layers.filter((l) => l.class_name === "InputLayer" && !Array.isArray(l.config));
  const withShape = (inputs.length > 0 ? inputs : layers.slice(0, 1))
    .map((l) => l.config)
    .filter((c): c is Record<string, unknown> => !Array.isArray(c) && Array.isArray(c.batch_input_shape));
  return withShape;
}

/** A Flatten after global pooling sees no spatial size (harmless); only flattening a feature map is bound. */
function isGlobalFed(root: LayerJson, layer: LayerJson): boolean {
  const layers = containerLayers(root);
  const source = (layer.inbound_nodes?.[0] as unknown[][] | undefined)?.[0]?.[0];
  const prev =
    typeof source === "string"
      ? layers.find((l) => layerName(l) === source)
      : layers[layers.indexOf(layer) - 1];
  return prev !== undefined && /^Global/.test(prev.class_name);
}
