/**
 * Builders for the format tests: Keras 3 configs written the way Keras 3 serializes them, source
 * tfjs-layers models with known weights, and Keras .h5 / .keras files made with h5wasm and fflate
 * (no Keras can be installed here, so the tests produce Keras's layouts themselves).
 */
import { writeFile } from "node:fs/promises";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { zipSync } from "fflate";
import type { Group, File as H5File } from "h5wasm";
import { createH5 } from "../src/models/formats/h5.js";

/** Deterministic weights: every weight of `model` gets values from a small LCG, moving variances kept positive. */
export function setKnownWeights(model: tfl.LayersModel, seed = 1): void {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  const values = model.weights.map((w) => {
    const size = w.shape.reduce<number>((p, d) => p * (d ?? 1), 1);
    const positive = /variance|gamma/.test(w.originalName);
    const data = Float32Array.from({ length: size }, () => (positive ? 0.5 + Math.abs(next()) : next()));
    return tf.tensor(data, w.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** A deterministic input batch of the given shape (values in -1..1). */
export function knownInput(shape: number[]): tf.Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, (_, i) => Math.sin(i * 0.37) * 0.9),
    shape,
  );
}

/** `group/a/b` created one level at a time (HDF5 does not create intermediate groups by itself). */
export function ensureGroup(root: Group, path: string): Group {
  let g = root;
  for (const part of path.split("/").filter(Boolean)) {
    g = (g.keys().includes(part) ? g.get(part) : g.create_group(part)) as Group;
  }
  return g;
}

export function putDataset(root: Group, path: string, values: Float32Array, shape: number[]): void {
  const parts = path.split("/");
  const leaf = parts.pop()!;
  ensureGroup(root, parts.join("/")).create_dataset({ name: leaf, data: values, shape, dtype: "<f" });
}

/** The weights of `layer` as [values, shape] pairs, in the layer's order. */
export function layerArrays(layer: tfl.layers.Layer): [Float32Array, number[]][] {
  return layer.getWeights().map((t) => [t.dataSync() as Float32Array, t.shape]);
}

/**
 * Keras 3 model.weights.h5 bytes: `keys` maps each Keras 3 path (e.g. "layers/dense") to the
 * source layer whose weights go to `<path>/vars/0…`. Like Keras 3, the root and every
 * container get a (possibly empty) `vars` group, and an `optimizer` group is present.
 */
export async function keras3WeightsH5(keys: [string, tfl.layers.Layer | undefined][]): Promise<Uint8Array> {
  return createH5((f: H5File) => {
    ensureGroup(f, "vars");
    ensureGroup(f, "optimizer/vars");
    for (const [path, layer] of keys) {
      const vars = ensureGroup(f, `${path}/vars`);
      if (!layer) continue;
      layerArrays(layer).forEach(([v, shape], i) => {
        vars.create_dataset({ name: String(i), data: v, shape, dtype: "<f" });
      });
    }
  });
}

/** Writes a .keras archive (zip of config.json, metadata.json, model.weights.h5). */
export async function writeKerasArchive(file: string, config: unknown, weights: Uint8Array): Promise<void> {
  const enc = new TextEncoder();
  const zip = zipSync({
    "metadata.json": enc.encode(
      JSON.stringify({ keras_version: "3.6.0", date_saved: "2025-01-01@00:00:00" }),
    ),
    "config.json": enc.encode(JSON.stringify(config)),
    "model.weights.h5": weights,
  });
  await writeFile(file, zip);
}

/**
 * Keras 2 `.h5` bytes: with `topology`, a whole-model file (root attribute model_config, weights
 * under model_weights); without, a weights-only `save_weights` file. Layer groups hold
 * `<layer>/<weight>:0` datasets listed in `weight_names`, as h5py writes them.
 */
export async function keras2H5(model: tfl.LayersModel, topology?: unknown): Promise<Uint8Array> {
  return createH5((f: H5File) => {
    const root = topology === undefined ? f : ensureGroup(f, "model_weights");
    if (topology !== undefined) {
      f.create_attribute("model_config", JSON.stringify(topology));
      f.create_attribute("keras_version", "2.15.0");
      f.create_attribute("backend", "tensorflow");
    }
    root.create_attribute(
      "layer_names",
      model.layers.map((l) => l.name),
    );
    for (const layer of model.layers) {
      const g = ensureGroup(root, layer.name);
      const names = layer.weights.map((w) => `${w.originalName}:0`);
      // Keras writes an empty list for weightless layers; a missing attribute reads the same.
      if (names.length > 0) g.create_attribute("weight_names", names);
      layerArrays(layer).forEach(([v, shape], i) => {
        putDataset(g, names[i], v, shape);
      });
    }
  });
}

const policy = {
  module: "keras",
  class_name: "DTypePolicy",
  config: { name: "float32" },
  registered_name: null,
};
const init = (class_name: string, config: Record<string, unknown> = {}) => ({
  module: "keras.initializers",
  class_name,
  config,
  registered_name: null,
});
const layer = (class_name: string, config: Record<string, unknown>, build?: unknown) => ({
  module: "keras.layers",
  class_name,
  config: { trainable: true, dtype: policy, ...config },
  registered_name: null,
  ...(build ? { build_config: { input_shape: build } } : {}),
});
const dense = (name: string, units: number, activation: string, build: (number | null)[]) =>
  layer(
    "Dense",
    {
      name,
      units,
      activation,
      use_bias: true,
      kernel_initializer: init("GlorotUniform", { seed: null }),
      bias_initializer: init("Zeros"),
      kernel_regularizer: null,
      bias_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    },
    build,
  );
const tensor = (shape: (number | null)[], history: [string, number, number]) => ({
  class_name: "__keras_tensor__",
  config: { shape, dtype: "float32", keras_history: history },
});

/** A small Keras 3 Sequential CNN (config.json as Keras 3.6 writes it) and its tfjs twin. */
export function sequentialPair(): { config: unknown; source: tfl.LayersModel; keys: [string, string][] } {
  const config = {
    module: "keras",
    class_name: "Sequential",
    config: {
      name: "sequential",
      trainable: true,
      dtype: policy,
      layers: [
        {
          module: "keras.layers",
          class_name: "InputLayer",
          config: { batch_shape: [null, 6, 6, 2], dtype: "float32", sparse: false, name: "input_layer" },
          registered_name: null,
        },
        layer(
          "Conv2D",
          {
            name: "conv2d",
            filters: 3,
            kernel_size: [3, 3],
            strides: [1, 1],
            padding: "same",
            data_format: "channels_last",
            dilation_rate: [1, 1],
            groups: 1,
            activation: "relu",
            use_bias: true,
            kernel_initializer: init("GlorotUniform", { seed: null }),
            bias_initializer: init("Zeros"),
            kernel_regularizer: {
              module: "keras.regularizers",
              class_name: "L2",
              config: { l2: 1e-4 },
              registered_name: null,
            },
            bias_regularizer: null,
            activity_regularizer: null,
            kernel_constraint: null,
            bias_constraint: null,
          },
          [null, 6, 6, 2],
        ),
        layer(
          "BatchNormalization",
          {
            name: "batch_normalization",
            axis: -1,
            momentum: 0.99,
            epsilon: 0.001,
            center: true,
            scale: true,
            beta_initializer: init("Zeros"),
            gamma_initializer: init("Ones"),
            moving_mean_initializer: init("Zeros"),
            moving_variance_initializer: init("Ones"),
            beta_regularizer: null,
            gamma_regularizer: null,
            beta_constraint: null,
            gamma_constraint: null,
            synchronized: false,
          },
          [null, 6, 6, 3],
        ),
        layer("MaxPooling2D", {
          name: "max_pooling2d",
          pool_size: [2, 2],
          padding: "valid",
          strides: [2, 2],
          data_format: "channels_last",
        }),
        layer("Flatten", { name: "flatten", data_format: "channels_last" }),
        dense("dense", 5, "relu", [null, 27]),
        dense("dense_1", 4, "softmax", [null, 5]),
      ],
      build_input_shape: [null, 6, 6, 2],
    },
    registered_name: null,
    build_config: { input_shape: [null, 6, 6, 2] },
    compile_config: null,
  };
  const source = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        name: "conv2d",
        filters: 3,
        kernelSize: 3,
        padding: "same",
        activation: "relu",
        inputShape: [6, 6, 2],
      }),
      tfl.layers.batchNormalization({ name: "batch_normalization", epsilon: 0.001 }),
      tfl.layers.maxPooling2d({ name: "max_pooling2d", poolSize: 2 }),
      tfl.layers.flatten({ name: "flatten" }),
      tfl.layers.dense({ name: "dense", units: 5, activation: "relu" }),
      tfl.layers.dense({ name: "dense_1", units: 4, activation: "softmax" }),
    ],
  });
  setKnownWeights(source, 7);
  const keys: [string, string][] = [
    ["layers/conv2d", "conv2d"],
    ["layers/batch_normalization", "batch_normalization"],
    ["layers/max_pooling2d", "max_pooling2d"],
    ["layers/flatten", "flatten"],
    ["layers/dense", "dense"],
    ["layers/dense_1", "dense_1"],
  ];
  return { config, source, keys };
}

/**
 * A Keras 3 Functional model with two branches (named so that names and Keras 3's class-based
 * keys differ), a Concatenate, and a nested Sequential head; and its tfjs twin.
 */
export function functionalPair(): {
  config: unknown;
  source: tfl.LayersModel;
  keys: [string, string | undefined][];
} {
  const head = {
    module: "keras",
    class_name: "Sequential",
    config: {
      name: "head",
      trainable: true,
      dtype: policy,
      layers: [
        {
          module: "keras.layers",
          class_name: "InputLayer",
          config: { batch_shape: [null, 7], dtype: "float32", sparse: false, name: "input_layer_1" },
          registered_name: null,
        },
        dense("head_hidden", 3, "tanh", [null, 7]),
        dense("head_out", 2, "linear", [null, 3]),
      ],
      build_input_shape: [null, 7],
    },
    registered_name: null,
    build_config: { input_shape: [null, 7] },
    name: "head",
    inbound_nodes: [{ args: [tensor([null, 7], ["merge", 0, 0])], kwargs: {} }],
  };
  const config = {
    module: "keras.src.models.functional",
    class_name: "Functional",
    config: {
      name: "two_branch",
      trainable: true,
      layers: [
        {
          module: "keras.layers",
          class_name: "InputLayer",
          config: { batch_shape: [null, 6], dtype: "float32", sparse: false, name: "features" },
          registered_name: null,
          name: "features",
          inbound_nodes: [],
        },
        {
          ...dense("left", 4, "sigmoid", [null, 6]),
          name: "left",
          inbound_nodes: [{ args: [tensor([null, 6], ["features", 0, 0])], kwargs: {} }],
        },
        {
          ...dense("right", 3, "relu", [null, 6]),
          name: "right",
          inbound_nodes: [{ args: [tensor([null, 6], ["features", 0, 0])], kwargs: {} }],
        },
        {
          ...layer("Concatenate", { name: "merge", axis: -1 }, [
            [null, 4],
            [null, 3],
          ]),
          name: "merge",
          inbound_nodes: [
            {
              args: [[tensor([null, 4], ["left", 0, 0]), tensor([null, 3], ["right", 0, 0])]],
              kwargs: {},
            },
          ],
        },
        head,
      ],
      input_layers: ["features", 0, 0],
      output_layers: ["head", 0, 0],
    },
    registered_name: "Functional",
    build_config: { input_shape: null },
    compile_config: null,
  };
  const input = tfl.input({ shape: [6], name: "features" });
  const right = tfl.layers
    .dense({ name: "right", units: 3, activation: "relu" })
    .apply(input) as tfl.SymbolicTensor;
  const left = tfl.layers
    .dense({ name: "left", units: 4, activation: "sigmoid" })
    .apply(input) as tfl.SymbolicTensor;
  const merged = tfl.layers.concatenate({ name: "merge" }).apply([left, right]) as tfl.SymbolicTensor;
  const headModel = tfl.sequential({
    name: "head",
    layers: [
      tfl.layers.dense({ name: "head_hidden", units: 3, activation: "tanh", inputShape: [7] }),
      tfl.layers.dense({ name: "head_out", units: 2 }),
    ],
  });
  const out = headModel.apply(merged) as tfl.SymbolicTensor;
  const source = tfl.model({ inputs: input, outputs: out, name: "two_branch" });
  setKnownWeights(source, 11);
  // Keras 3 lists layers by depth, then by traversal from the outputs (so "left", the first input
  // of the concatenation, comes before "right", though built after it), and keys them by class.
  const keys: [string, string | undefined][] = [
    ["layers/input_layer", undefined],
    ["layers/dense", "left"],
    ["layers/dense_1", "right"],
    ["layers/concatenate", undefined],
    ["layers/sequential", undefined],
    ["layers/sequential/layers/dense", "head/head_hidden"],
    ["layers/sequential/layers/dense_1", "head/head_out"],
  ];
  return { config, source, keys };
}

/** The source layer for a key's target: "name" or "nested/name". */
export function findLayer(model: tfl.LayersModel, path: string | undefined): tfl.layers.Layer | undefined {
  if (path === undefined) return undefined;
  const [first, second] = path.split("/");
  const l = model.getLayer(first);
  return second === undefined ? l : (l as tfl.LayersModel).getLayer(second);
}
