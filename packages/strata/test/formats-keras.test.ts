import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { zipSync } from "fflate";
import h5wasm from "h5wasm";
import { useBackend } from "../src/backend.js";
import { StrataError } from "../src/errors.js";
import { loadKerasArchive } from "../src/models/formats/keras-archive.js";
import { loadKerasModel, loadKerasWeights } from "../src/models/formats/keras-h5.js";
import { keras3ToKeras2 } from "../src/models/formats/keras3-config.js";
import { toSnakeCase } from "../src/models/formats/keras3-weights.js";
import {
  findLayer,
  functionalPair,
  keras2H5,
  keras3WeightsH5,
  knownInput,
  sequentialPair,
  setKnownWeights,
  writeKerasArchive,
} from "./formats-fixtures.js";

let tmp: string;
before(async () => {
  await useBackend();
  tmp = await mkdtemp(join(tmpdir(), "strata-formats-keras-"));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
  // h5wasm's in-memory file system is left as it was found.
  const { FS } = await h5wasm.ready;
  assert.deepEqual(
    FS.readdir("/").filter((f: string) => f.startsWith("strata-")),
    [],
  );
});

async function rejectsWith(p: Promise<unknown>, ...fragments: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `"${f}" missing from: ${e.message}`);
    return true;
  });
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  assert.equal(x.length, y.length);
  return Array.from(x).reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);
}

async function archiveOf(
  name: string,
  pair: { config: unknown; source: tfl.LayersModel; keys: [string, string | undefined][] },
): Promise<string> {
  const weights = await keras3WeightsH5(pair.keys.map(([k, p]) => [k, findLayer(pair.source, p)]));
  const file = join(tmp, `${name}.keras`);
  await writeKerasArchive(file, pair.config, weights);
  return file;
}

test("toSnakeCase names layer groups as Keras 3 does", () => {
  assert.equal(toSnakeCase("Conv2D"), "conv2d");
  assert.equal(toSnakeCase("BatchNormalization"), "batch_normalization");
  assert.equal(toSnakeCase("DepthwiseConv2D"), "depthwise_conv2d");
  assert.equal(toSnakeCase("ReLU"), "re_lu");
  assert.equal(toSnakeCase("GlobalAveragePooling2D"), "global_average_pooling2d");
});

test("Keras 3 input/output refs convert in all their forms (one ref, a list, a dict)", () => {
  const { config } = functionalPair() as { config: { config: Record<string, unknown> } };
  for (const inputs of [["features", 0, 0], [["features", 0, 0]], { features: ["features", 0, 0] }]) {
    const c = structuredClone(config);
    c.config.input_layers = inputs;
    const { topology, order } = keras3ToKeras2(c, "test");
    const top = topology.config as Record<string, unknown>;
    assert.deepEqual(top.input_layers, [["features", 0, 0]]);
    // The nested Sequential's first call is node 1 in tfjs-layers (node 0 links its own input to output).
    assert.deepEqual(top.output_layers, [["head", 1, 0]]);
    assert.deepEqual(order.get("two_branch"), ["features", "left", "right", "merge", "head"]);
    assert.deepEqual(order.get("head"), ["head_hidden", "head_out"]);
  }
});

test("a Keras 3 Sequential .keras archive predicts exactly as its source model", async () => {
  const pair = sequentialPair();
  const model = await loadKerasArchive(await archiveOf("seq", pair));
  const x = knownInput([3, 6, 6, 2]);
  const [a, b] = [pair.source.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor];
  assert.deepEqual(b.shape, [3, 4]);
  assert.ok(maxDiff(a, b) < 1e-6);
  // The BatchNormalization moving statistics (non-trainable, stored after gamma and beta) arrived.
  const bn = model.getLayer("batch_normalization").getWeights();
  assert.deepEqual(bn[3].dataSync(), pair.source.getLayer("batch_normalization").getWeights()[3].dataSync());
  tf.dispose([x, a, b]);
  model.dispose();
});

test("a Keras 3 Functional archive with branches and a nested Sequential predicts as its source", async () => {
  const pair = functionalPair();
  const model = await loadKerasArchive(await archiveOf("functional", pair));
  const x = knownInput([4, 6]);
  const [a, b] = [pair.source.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor];
  assert.deepEqual(b.shape, [4, 2]);
  assert.ok(maxDiff(a, b) < 1e-6);
  tf.dispose([x, a, b]);
  model.dispose();
});

test("a Keras 3 .weights.h5 loads into a model defined in code (class-keyed, by position)", async () => {
  const pair = functionalPair();
  const file = join(tmp, "model.weights.h5");
  await writeFile(file, await keras3WeightsH5(pair.keys.map(([k, p]) => [k, findLayer(pair.source, p)])));
  const twin = functionalPair().source;
  setKnownWeights(twin, 99);
  const report = await loadKerasWeights(twin, file);
  assert.deepEqual(report.loaded, ["left", "right", "head_hidden", "head_out"]);
  const x = knownInput([2, 6]);
  assert.ok(maxDiff(pair.source.predict(x) as tf.Tensor, twin.predict(x) as tf.Tensor) < 1e-6);
});

test("a whole Keras 2 .h5 model (model_config + model_weights) predicts as its source", async () => {
  for (const pair of [sequentialPair(), functionalPair()]) {
    const file = join(tmp, `${pair.source.name}.h5`);
    await writeFile(file, await keras2H5(pair.source, pair.source.toJSON(null, false)));
    const model = await loadKerasModel(file);
    const shape = [2, ...(pair.source.inputs[0].shape.slice(1) as number[])];
    const x = knownInput(shape);
    assert.ok(maxDiff(pair.source.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor) < 1e-6);
    model.dispose();
  }
});

test("weights load by layer name from a weights-only Keras 2 file; mismatches are explained", async () => {
  const { source } = sequentialPair();
  const file = join(tmp, "seq.weights-only.h5");
  await writeFile(file, await keras2H5(source));
  const twin = sequentialPair().source;
  setKnownWeights(twin, 5);
  const report = await loadKerasWeights(twin, file);
  assert.deepEqual(report.missingInFile, []);
  const x = knownInput([1, 6, 6, 2]);
  assert.ok(maxDiff(source.predict(x) as tf.Tensor, twin.predict(x) as tf.Tensor) < 1e-6);

  // Another architecture: dense has 6 units instead of 5.
  const wrong = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        name: "conv2d",
        filters: 3,
        kernelSize: 3,
        padding: "same",
        inputShape: [6, 6, 2],
      }),
      tfl.layers.batchNormalization({ name: "batch_normalization" }),
      tfl.layers.flatten({ name: "flatten" }),
      tfl.layers.dense({ name: "dense", units: 6 }),
      tfl.layers.dense({ name: "dense_1", units: 4 }),
    ],
  });
  await rejectsWith(
    loadKerasWeights(wrong, file),
    'layer "dense"',
    'weight "dense/kernel"',
    "[108,6]",
    "[27,5]",
  );

  // A new head the file does not have, and a file layer the model does not have.
  const headless = tfl.sequential({
    layers: [
      tfl.layers.conv2d({
        name: "conv2d",
        filters: 3,
        kernelSize: 3,
        padding: "same",
        inputShape: [6, 6, 2],
      }),
      tfl.layers.batchNormalization({ name: "batch_normalization" }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ name: "dense", units: 5 }),
      tfl.layers.dense({ name: "new_head", units: 2 }),
    ],
  });
  await rejectsWith(loadKerasWeights(headless, file), '"new_head"', "no weights in the file", "allowMissing");
  await rejectsWith(
    loadKerasWeights(headless, file, { allowMissing: true }),
    '"dense_1"',
    "the model does not have",
    "allowUnused",
  );
  const ok = await loadKerasWeights(headless, file, { allowMissing: true, allowUnused: true });
  assert.deepEqual(ok.missingInFile, ["new_head"]);
  assert.deepEqual(ok.unusedInFile, ["dense_1"]);
  assert.deepEqual(ok.loaded, ["conv2d", "batch_normalization", "dense"]);
});

test("a weights-only file where a whole model was expected says how to proceed", async () => {
  const file = join(tmp, "only-weights.h5");
  await writeFile(file, await keras2H5(sequentialPair().source));
  await rejectsWith(
    loadKerasModel(file),
    "weights-only",
    "define the architecture in code",
    "loadKerasWeights",
  );
});

test("bad Keras files get one-line errors", async () => {
  await rejectsWith(loadKerasModel(join(tmp, "absent.h5")), "absent.h5", "no such file");
  const text = join(tmp, "text.h5");
  await writeFile(text, "hello");
  await rejectsWith(loadKerasModel(text), "not an HDF5 file");
  await rejectsWith(loadKerasArchive(text), "not a .keras archive");
  const h5 = join(tmp, "whole.h5");
  await writeFile(h5, await keras2H5(sequentialPair().source));
  await rejectsWith(loadKerasArchive(h5), "not a .keras archive", "HDF5", "loadKerasModel");
  const noConfig = join(tmp, "no-config.keras");
  await writeFile(noConfig, zipSync({ "metadata.json": new TextEncoder().encode("{}") }));
  await rejectsWith(loadKerasArchive(noConfig), "not a Keras 3 archive", "config.json");
});

test("Keras 3 configs tfjs-layers cannot build are refused with the reason", async () => {
  const weights = await keras3WeightsH5([]);
  const write = async (name: string, config: unknown) => {
    const file = join(tmp, `${name}.keras`);
    await writeKerasArchive(file, config, weights);
    return file;
  };
  const subclassed = {
    module: "my_models",
    class_name: "MyNet",
    config: { name: "my_net" },
    registered_name: "Custom>MyNet",
  };
  await rejectsWith(
    loadKerasArchive(await write("subclassed", subclassed)),
    '"MyNet"',
    "Sequential and Functional",
  );

  const seq = sequentialPair().config as {
    config: { layers: { class_name: string; config: Record<string, unknown> }[] };
  };
  const grouped = structuredClone(seq);
  grouped.config.layers[1].config.groups = 2;
  await rejectsWith(
    loadKerasArchive(await write("grouped", grouped)),
    'layer "conv2d"',
    "groups=2",
    "does not support",
  );

  const unknown = structuredClone(seq);
  unknown.config.layers[2].class_name = "GroupNormalization";
  await rejectsWith(loadKerasArchive(await write("unknown", unknown)), '"GroupNormalization"', "supports:");

  // The config is fine but the weights file lacks a layer.
  const pair = sequentialPair();
  const partial = await keras3WeightsH5(
    pair.keys.filter(([k]) => k !== "layers/dense_1").map(([k, p]) => [k, findLayer(pair.source, p)]),
  );
  const file = join(tmp, "partial.keras");
  await writeKerasArchive(file, pair.config, partial);
  await rejectsWith(loadKerasArchive(file), 'layer "dense_1"', "layers/dense_1/vars", "Keras 3.6.0");
});
