import { StrataError } from "../../errors.js";
import type { LayerOrder } from "./keras3-weights.js";
import type { LayerJson } from "./topology.js";

/** A Keras 3 serialized object: `{ module, class_name, config, registered_name, build_config?, … }`. */
interface K3Object {
  module?: string;
  class_name: string;
  config: Record<string, unknown>;
  registered_name?: string | null;
  name?: string;
  inbound_nodes?: { args?: unknown; kwargs?: unknown }[];
}

type Ref = [string, number, number];

/**
 * Converts a Keras 3 model config (config.json of a .keras archive) into the Keras 2 topology
 * tfjs-layers reads: Sequential (the InputLayer folded into the first layer's
 * `batch_input_shape`) and Functional (renamed "Model"; Keras 3's `{args, kwargs}` nodes of
 * `__keras_tensor__` objects become `[[layer, node, tensor, {}], …]` lists), nested models
 * included. Also returns each container's layer order, which addresses the weights in
 * model.weights.h5. Throws a StrataError for subclassed models and for options tfjs-layers lacks.
 */
export function keras3ToKeras2(root: unknown, label: string): { topology: LayerJson; order: LayerOrder } {
  const order = new Map<string, string[]>();
  const obj = root as K3Object;
  if (typeof obj?.class_name !== "string" || typeof obj.config !== "object") {
    throw new StrataError(`${label}: config.json is not a Keras model config (no class_name/config)`);
  }
  return { topology: convertModel(obj, label, order), order };
}

function convertModel(obj: K3Object, label: string, order: Map<string, string[]>): LayerJson {
  const name = String(obj.config.name ?? obj.name ?? "model");
  const layers = (obj.config.layers ?? []) as K3Object[];
  if (obj.class_name === "Sequential") {
    const [first, ...rest] = layers;
    const body = first?.class_name === "InputLayer" ? rest : layers;
    const converted = body.map((l) => convertLayer(l, label, order));
    // tfjs-layers takes a Sequential model's input shape from its first layer.
    const built = obj.config.build_input_shape as (number | null)[] | undefined;
    const input =
      first?.class_name === "InputLayer"
        ? inputConfig(first.config)
        : built
          ? { batch_input_shape: built }
          : undefined;
    const target = converted[0];
    if (input && target && !Array.isArray(target.config)) {
      Object.assign(target.config, {
        batch_input_shape: input.batch_input_shape,
        dtype: input.dtype ?? "float32",
      });
    }
    order.set(
      name,
      body.map((l) => String(l.config.name)),
    );
    return { class_name: "Sequential", config: { name, layers: converted } };
  }
  if (obj.class_name === "Functional" || obj.class_name === "Model") {
    if (!Array.isArray(obj.config.layers)) {
      throw new StrataError(
        `${label}: model "${name}" is a subclassed Keras model (no layer graph in its config); tfjs-layers cannot rebuild it`,
      );
    }
    const classOf = new Map(layers.map((l) => [layerNameOf(l), l.class_name]));
    const converted = layers.map((l) => ({
      ...convertLayer(l, label, order),
      name: layerNameOf(l),
      inbound_nodes: (l.inbound_nodes ?? []).map((node) => convertNode(node, classOf, layerNameOf(l), label)),
    }));
    order.set(name, layers.map(layerNameOf));
    const io = (v: unknown) => refs(v).map((r) => adjust(r, classOf));
    return {
      class_name: "Model",
      config: {
        name,
        layers: converted,
        input_layers: io(obj.config.input_layers),
        output_layers: io(obj.config.output_layers),
      },
    };
  }
  throw new StrataError(
    `${label}: the model is a "${obj.class_name}" (a subclassed model?); only Sequential and Functional models have a config tfjs-layers can build`,
  );
}

function layerNameOf(l: K3Object): string {
  return String(l.name ?? l.config.name);
}

function convertLayer(l: K3Object, label: string, order: Map<string, string[]>): LayerJson {
  if (l.class_name === "Sequential" || l.class_name === "Functional") return convertModel(l, label, order);
  if (l.class_name === "InputLayer") return { class_name: "InputLayer", config: inputConfig(l.config) };
  const config = plain(l.config) as Record<string, unknown>;
  checkSupported(l.class_name, config, label);
  return { class_name: l.class_name, config };
}

function inputConfig(c: Record<string, unknown>): Record<string, unknown> {
  const shape = (c.batch_shape ?? c.batch_input_shape ?? [null, ...((c.shape as number[]) ?? [])]) as (
    | number
    | null
  )[];
  return { batch_input_shape: shape, dtype: dtypeName(c.dtype), sparse: Boolean(c.sparse), name: c.name };
}

/** Keras 3 objects inside a config (initializers, regularizers, dtype policies) in Keras 2 form. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v !== "object" || v === null) return v;
  const o = v as Record<string, unknown>;
  if (typeof o.class_name === "string" && "config" in o) {
    if (/DTypePolicy$/.test(o.class_name)) return dtypeName(o);
    if (o.class_name === "__tuple__") return plain((o.config as { value?: unknown }).value);
    if (o.class_name === "function") return o.config;
    const config = plain(o.config) as Record<string, unknown>;
    // Keras 3 has L1 and L2 regularizer classes; tfjs-layers only L1L2.
    if (o.class_name === "L2" || o.class_name === "L1") {
      return { class_name: "L1L2", config: { l1: config.l1 ?? 0, l2: config.l2 ?? 0 } };
    }
    return { class_name: o.class_name, config };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, k === "dtype" ? dtypeName(x) : plain(x)]));
}

/** A dtype or dtype policy as the float type tfjs-layers computes in (mixed precision runs as float32). */
function dtypeName(v: unknown): string {
  const name =
    typeof v === "string" ? v : String((v as { config?: { name?: unknown } })?.config?.name ?? "float32");
  return name.startsWith("mixed_") || name === "bfloat16" || name === "float16" ? "float32" : name;
}

/** Keras 3 options that change what a layer computes and that tfjs-layers would silently ignore. */
function checkSupported(cls: string, c: Record<string, unknown>, label: string): void {
  const bad = (what: string) => {
    throw new StrataError(
      `${label}: layer "${String(c.name)}" (${cls}) uses ${what}, which tfjs-layers does not support`,
    );
  };
  if (typeof c.groups === "number" && c.groups !== 1) bad(`groups=${c.groups}`);
  if (c.keepdims === true) bad("keepdims=True");
  if (c.lora_rank !== undefined && c.lora_rank !== null) bad("LoRA");
  if (c.quantization_config !== undefined && c.quantization_config !== null) bad("quantization");
}

function convertNode(
  node: { args?: unknown; kwargs?: unknown },
  classOf: Map<string, string>,
  layer: string,
  label: string,
): unknown[] {
  if (tensorsIn(node.kwargs).length > 0) {
    throw new StrataError(
      `${label}: layer "${layer}" is called with tensors as keyword arguments, which tfjs-layers cannot express`,
    );
  }
  return tensorsIn(node.args).map((r) => [...adjust(r, classOf), {}]);
}

/** `__keras_tensor__` references in an argument structure, in order. */
function tensorsIn(v: unknown): Ref[] {
  if (Array.isArray(v)) return v.flatMap(tensorsIn);
  if (typeof v !== "object" || v === null) return [];
  const o = v as { class_name?: unknown; config?: { keras_history?: unknown; value?: unknown } };
  if (o.class_name === "__keras_tensor__") return [o.config?.keras_history as Ref];
  if (o.class_name === "__tuple__") return tensorsIn(o.config?.value);
  return Object.values(o).flatMap(tensorsIn);
}

/** `input_layers` / `output_layers`: one ref, a list of refs, or a dict of them (Keras 3 keeps the structure). */
function refs(v: unknown): Ref[] {
  if (Array.isArray(v) && v.length === 3 && typeof v[0] === "string" && typeof v[1] === "number")
    return [v as Ref];
  if (Array.isArray(v)) return v.flatMap(refs);
  if (typeof v === "object" && v !== null) return Object.values(v).flatMap(refs);
  return [];
}

/**
 * Node indices of nested Sequential models: Keras 3 numbers their calls from 0, but in tfjs-layers
 * (as in Keras 2) every nested model owns a node 0 linking its inputs to outputs, so calls start at 1.
 * Keras 3 already counts that node for Functional models.
 */
function adjust([name, node, tensor]: Ref, classOf: Map<string, string>): Ref {
  return [name, classOf.get(name) === "Sequential" ? node + 1 : node, tensor];
}
