import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, truncate, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { StrataError } from "../src/errors.js";
import { loadTfjsLayersModel } from "../src/models/formats/tfjs-layers.js";
import { sharedData } from "./helpers/data.js";

const DARKNET = sharedData("pretrained/darknet_tiny_imagenet_tfjs");
const MOBILENET = sharedData("pretrained/nsfwjs_mobilenet_v2_tfjs");
const INCEPTION = sharedData("pretrained/nsfwjs_inception_v3_tfjs");

let tmp: string;
before(async () => {
  await useBackend();
  tmp = await mkdtemp(join(tmpdir(), "strata-formats-tfjs-"));
});
after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** A writable copy of a model folder, to break. */
async function copyModel(src: string, name: string): Promise<string> {
  const dir = join(tmp, name);
  await cp(src, dir, { recursive: true });
  return dir;
}

async function editModelJson(dir: string, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const file = join(dir, "model.json");
  const json = JSON.parse(await readFile(file, "utf8"));
  edit(json);
  await writeFile(file, JSON.stringify(json));
}

async function rejectsWith(p: Promise<unknown>, ...fragments: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `"${f}" missing from: ${e.message}`);
    return true;
  });
}

test("darknet-tiny (Keras 2.1.6 topology, 31 shards) loads and gives 1000 logits, also rebuilt at 128x128", async () => {
  const model = await loadTfjsLayersModel(DARKNET);
  assert.deepEqual(model.inputs[0].shape, [null, 224, 224, 3]);
  assert.equal(model.countParams(), 4_185_952 / 4);
  const small = await loadTfjsLayersModel(join(DARKNET, "model.json"), { inputSize: 128 });
  assert.deepEqual(small.inputs[0].shape, [null, 128, 128, 3]);
  const x = tf.ones([2, 128, 128, 3]);
  const y = small.predict(x) as tf.Tensor;
  assert.deepEqual(y.shape, [2, 1000]);
  // Same weights: the first convolution's kernel is identical in both.
  const k1 = model.getLayer("conv2d_1").getWeights()[0].dataSync();
  const k2 = small.getLayer("conv2d_1").getWeights()[0].dataSync();
  assert.deepEqual(Array.from(k1.slice(0, 20)), Array.from(k2.slice(0, 20)));
  tf.dispose([x, y]);
  model.dispose();
  small.dispose();
});

test("uint8-quantized weights are dequantized on load: value = min + scale * byte", async () => {
  const model = await loadTfjsLayersModel(MOBILENET);
  const json = JSON.parse(await readFile(join(MOBILENET, "model.json"), "utf8"));
  const first = json.weightsManifest[0].weights[0];
  assert.equal(first.name, "Conv1/kernel");
  const shard = await readFile(join(MOBILENET, "group1-shard1of1"));
  const { min, scale } = first.quantization;
  const kernel = model.getLayer("Conv1").getWeights()[0].dataSync();
  for (const i of [0, 1, 100, 863]) assert.ok(Math.abs(kernel[i] - (min + scale * shard[i])) < 1e-6);
  const y = model.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor;
  const p = y.dataSync();
  assert.equal(p.length, 5);
  assert.ok(Math.abs(Array.from(p).reduce((a, b) => a + b, 0) - 1) < 1e-4, "softmax head");
  y.dispose();
  model.dispose();
});

test("a missing shard is named", async () => {
  const dir = await copyModel(DARKNET, "missing-shard");
  await unlink(join(dir, "group5-shard1of1"));
  await rejectsWith(loadTfjsLayersModel(dir), "group5-shard1of1", "missing");
});

test("a truncated shard gives its byte count and the manifest's", async () => {
  const dir = await copyModel(DARKNET, "truncated");
  await truncate(join(dir, "group17-shard1of1"), 1000);
  await rejectsWith(loadTfjsLayersModel(dir), "group17-shard1of1", "truncated", "1000 bytes", "294912 bytes");
});

test("a truncated shard in a multi-shard group is found", async () => {
  const dir = await copyModel(INCEPTION, "truncated-multi");
  await truncate(join(dir, "group1-shard3of6"), 4_000_000);
  await rejectsWith(loadTfjsLayersModel(dir), "group1-shard3of6", "4000000 bytes", "4194304 bytes");
});

test("a quantized weight whose manifest entry lost its quantization info is named", async () => {
  const dir = await copyModel(MOBILENET, "no-quantization");
  await editModelJson(dir, (json) => {
    const w = (json.weightsManifest as { weights: Record<string, unknown>[] }[])[0].weights[3];
    delete w.quantization;
  });
  const name = JSON.parse(await readFile(join(MOBILENET, "model.json"), "utf8")).weightsManifest[0].weights[3]
    .name;
  await rejectsWith(loadTfjsLayersModel(dir), `weight "${name}"`, "no quantization info", "uint8");

  const dir2 = await copyModel(MOBILENET, "no-min-scale");
  await editModelJson(dir2, (json) => {
    const w = (json.weightsManifest as { weights: Record<string, unknown>[] }[])[0].weights[0];
    w.quantization = { dtype: "uint8" };
  });
  await rejectsWith(
    loadTfjsLayersModel(dir2),
    'weight "Conv1/kernel"',
    "uint8-quantized",
    '"min" and "scale"',
  );
});

test("an unknown layer class is named, with the classes tfjs-layers supports", async () => {
  const dir = await copyModel(DARKNET, "unknown-class");
  await editModelJson(dir, (json) => {
    const topo = json.modelTopology as { model_config: { config: { layers: { class_name: string }[] } } };
    topo.model_config.config.layers[3].class_name = "FancyReLU";
  });
  await rejectsWith(
    loadTfjsLayersModel(dir),
    '"FancyReLU"',
    'layer "leaky_re_lu_1"',
    "supports:",
    "Conv2D",
    "LeakyReLU",
  );
});

test("paths that are not models say so", async () => {
  await rejectsWith(loadTfjsLayersModel(join(tmp, "nowhere")), "nowhere", "not a model", "no such file");
  const empty = join(tmp, "empty");
  await mkdir(empty);
  await rejectsWith(loadTfjsLayersModel(empty), "not a model", "model.json");
  await rejectsWith(
    loadTfjsLayersModel(join(DARKNET, "labels_darknet_order.txt")),
    "not a TF.js layers model",
    "not JSON",
  );
  const graph = join(tmp, "graph");
  await mkdir(graph);
  await writeFile(
    join(graph, "model.json"),
    JSON.stringify({ format: "graph-model", modelTopology: { node: [] } }),
  );
  await rejectsWith(loadTfjsLayersModel(graph), "graph model", "layers models");
  const other = join(tmp, "other");
  await mkdir(other);
  await writeFile(join(other, "model.json"), JSON.stringify({ hello: 1 }));
  await rejectsWith(loadTfjsLayersModel(other), "not a TF.js layers model", "modelTopology");
});

test("a network with a Flatten head cannot change its input size", async () => {
  await rejectsWith(
    loadTfjsLayersModel(MOBILENET, { inputSize: [160, 160] }),
    "160x160",
    "not fully convolutional",
    '"flatten_1"',
    "224x224",
  );
});
