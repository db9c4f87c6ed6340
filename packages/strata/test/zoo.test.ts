import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { StrataError } from "../src/errors.js";
import { decodeImage } from "../src/images/decode.js";
import {
  addZooModel,
  cutModel,
  listZoo,
  loadZooModel,
  preprocessFor,
  preprocessPixels,
  removeZooModel,
  zooCacheDir,
  zooLabels,
} from "../src/models/zoo/index.js";
import {
  findLayer,
  keras3WeightsH5,
  knownInput,
  sequentialPair,
  writeKerasArchive,
} from "./formats-fixtures.js";
import { sharedData } from "./helpers/data.js";

const DARKNET = sharedData("pretrained/darknet_tiny_imagenet_tfjs");
const MOBILENET = sharedData("pretrained/nsfwjs_mobilenet_v2_tfjs");
const SQUEEZENET = sharedData(
  "pretrained/keras_squeezenet_v1_1_notop_h5/squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5",
);
const SHIPPED = fileURLToPath(new URL("../zoo/darknet-tiny", import.meta.url));
// Debian's python3-sklearn ships these sample photos (CI may not have it installed).
const PHOTOS = "/usr/lib/python3/dist-packages/sklearn/datasets/images";

let tmp: string;
const savedHome = process.env.STRATA_HOME;
before(async () => {
  await useBackend();
  tmp = await mkdtemp(join(tmpdir(), "strata-zoo-"));
  process.env.STRATA_HOME = join(tmp, "home");
});
after(async () => {
  if (savedHome === undefined) delete process.env.STRATA_HOME;
  else process.env.STRATA_HOME = savedHome;
  await rm(tmp, { recursive: true, force: true });
});

async function rejectsWith(p: Promise<unknown>, ...fragments: string[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof StrataError, `expected a StrataError, got ${String(e)}`);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `"${f}" missing from: ${e.message}`);
    return true;
  });
}

/** The cache holds exactly these entries: no temp siblings left by atomic writes. */
async function cacheEntries(): Promise<string[]> {
  return existsSync(zooCacheDir()) ? (await readdir(zooCacheDir())).sort() : [];
}

async function top5(name: string, logits: tf.Tensor, labels: string[]): Promise<string[]> {
  const p = tf.softmax(logits).dataSync();
  return [...p.keys()]
    .sort((a, b) => p[b] - p[a])
    .slice(0, 5)
    .map((i) => labels[i] ?? `${name}#${i}`);
}

test("darknet-tiny ships inside the package with its licence, provenance and labels", async () => {
  const zoo = await listZoo();
  const darknet = zoo.find((i) => i.name === "darknet-tiny");
  assert.ok(darknet);
  assert.equal(darknet.builtin, true);
  assert.equal(darknet.format, "tfjs-layers");
  assert.equal(darknet.params, 1_046_488);
  assert.ok(darknet.bytes > 4_185_952 && darknet.bytes < 4_300_000, String(darknet.bytes));
  assert.deepEqual(darknet.inputSize, [224, 224]);
  assert.equal(darknet.output, "logits");
  assert.equal(darknet.cut?.layer, "leaky_re_lu_14");
  assert.equal(darknet.dir, SHIPPED);
  for (const f of ["model.json", "group31-shard1of1", "LICENSE.ml5-data-and-models", "PROVENANCE.md"]) {
    assert.ok(existsSync(join(SHIPPED, f)), f);
  }
  const labels = await zooLabels(darknet);
  assert.equal(labels?.length, 1000);
  assert.equal(labels?.[0], "kit fox");
});

test("darknet-tiny recognises sklearn's sample photos (china.jpg: a temple)", {
  skip: existsSync(join(PHOTOS, "china.jpg"))
    ? false
    : `no sample photos in ${PHOTOS} (apt-get install python3-sklearn)`,
}, async () => {
  const { model, info } = await loadZooModel("zoo:darknet-tiny");
  const labels = (await zooLabels(info))!;
  const [h, w] = info.inputSize;
  const predict = async (photo: string) => {
    const pixels = preprocessPixels(
      await decodeImage(join(PHOTOS, photo), { width: w, height: h, channels: 3 }),
      preprocessFor(info),
    );
    const x = tf.tensor4d(pixels, [1, h, w, 3]);
    const y = model.predict(x) as tf.Tensor;
    const top = await top5(info.name, y, labels);
    tf.dispose([x, y]);
    return top;
  };
  const china = await predict("china.jpg");
  assert.equal(china[0], "bell cote", china.join(", "));
  const temple = ["bell cote", "stupa", "monastery", "church", "dome", "palace"];
  assert.ok(china.filter((l) => temple.includes(l)).length >= 4, china.join(", "));
  const flower = await predict("flower.jpg");
  assert.ok(flower.includes("daisy"), flower.join(", "));
  model.dispose();
});

test("the default cut of darknet-tiny is its last 512-channel block, at any input size", async () => {
  for (const [size, side] of [
    [undefined, 14],
    [128, 8],
  ] as const) {
    const { model, info } = await loadZooModel("darknet-tiny", size ? { inputSize: size } : {});
    const features = cutModel(model, info);
    assert.deepEqual(features.outputs[0].shape, [null, side, side, 512]);
    assert.deepEqual(info.inputSize, size ? [size, size] : [224, 224]);
    model.dispose();
  }
});

test("a known model registered from a local folder gets its preset metadata and loads from the cache", async () => {
  const info = await addZooModel("nsfwjs-mobilenet-v2", MOBILENET);
  assert.equal(info.dir, join(zooCacheDir(), "nsfwjs-mobilenet-v2"));
  assert.equal(info.params, 2_619_461);
  assert.equal(info.output, "probabilities");
  assert.deepEqual(info.labels?.names, ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"]);
  assert.equal(info.fullyConvolutional, false);
  assert.deepEqual(
    (await readdir(info.dir)).sort(),
    ["LICENSE.nsfwjs", "PROVENANCE.md", "group1-shard1of1", "model.json", "zoo.json"].sort(),
  );
  assert.deepEqual(await cacheEntries(), ["nsfwjs-mobilenet-v2"]);
  const listed = (await listZoo()).find((i) => i.name === "nsfwjs-mobilenet-v2");
  assert.ok(listed && listed.bytes > 2_619_461 && !listed.builtin);

  const { model } = await loadZooModel("nsfwjs-mobilenet-v2");
  const y = model.predict(tf.zeros([1, 224, 224, 3])) as tf.Tensor;
  assert.deepEqual(y.shape, [1, 5]);
  y.dispose();
  model.dispose();
  await rejectsWith(loadZooModel("nsfwjs-mobilenet-v2", { inputSize: 160 }), "not fully convolutional");
});

test("SqueezeNet weights register as weights + architecture, with Caffe-style BGR preprocessing", async () => {
  const info = await addZooModel("squeezenet-1.1", SQUEEZENET);
  assert.equal(info.format, "keras-h5-weights+architecture");
  assert.equal(info.params, 722_496);
  const { model } = await loadZooModel("squeezenet-1.1", { inputSize: 224 });
  assert.deepEqual(model.outputs[0].shape, [null, 13, 13, 512]);
  model.dispose();
  const prep = preprocessFor(info);
  assert.equal(prep.channelOrder, "bgr");
  const px = preprocessPixels(Float32Array.of(200, 100, 50), prep);
  assert.deepEqual(
    Array.from(px, (v) => Math.round(v * 1000) / 1000),
    [50 - 103.939, 100 - 116.779, 200 - 123.68].map((v) => Math.round(v * 1000) / 1000),
  );
});

test("a Keras 3 archive registers and loads; models load from a path in place too", async () => {
  const pair = sequentialPair();
  const file = join(tmp, "small.keras");
  await writeKerasArchive(
    file,
    pair.config,
    await keras3WeightsH5(pair.keys.map(([k, p]) => [k, findLayer(pair.source, p)])),
  );
  const info = await addZooModel("small-cnn", file, {
    output: "probabilities",
    labels: { names: ["a", "b", "c", "d"] },
  });
  assert.equal(info.format, "keras-archive");
  assert.deepEqual(info.inputSize, [6, 6]);
  for (const ref of ["small-cnn", file]) {
    const { model } = await loadZooModel(ref);
    const x = knownInput([2, 6, 6, 2]);
    const a = (pair.source.predict(x) as tf.Tensor).dataSync();
    const b = (model.predict(x) as tf.Tensor).dataSync();
    assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-6));
    model.dispose();
  }
});

test("loading from an https:// URL downloads into the cache once (offline fetch stub)", async () => {
  const requested: string[] = [];
  const fetcher = async (url: string) => {
    requested.push(url);
    try {
      return new Response(await readFile(join(DARKNET, basename(new URL(url).pathname))));
    } catch {
      return new Response("not found", { status: 404 });
    }
  };
  const url = "https://models.example/darknet/model.json";
  const first = await loadZooModel(url, { fetch: fetcher });
  assert.equal(requested.length, 32); // model.json and 31 shards
  assert.equal(first.info.source, url);
  assert.deepEqual(first.model.outputs[0].shape, [null, 1000]);
  first.model.dispose();
  const second = await loadZooModel(url, { fetch: fetcher });
  assert.equal(requested.length, 32, "the second load comes from the cache");
  second.model.dispose();

  const before = await cacheEntries();
  await rejectsWith(
    loadZooModel("https://models.example/darknet/missing.json", { fetch: fetcher }),
    "HTTP 404",
  );
  await rejectsWith(
    loadZooModel("http://models.example/darknet/model.json", { fetch: fetcher }),
    "only https://",
  );
  assert.deepEqual(await cacheEntries(), before, "a failed download leaves the cache as it was");
});

test("bad names and paths get one-line errors, and failed registrations leave nothing behind", async () => {
  await rejectsWith(
    loadZooModel("resnet-9000"),
    'unknown zoo model "resnet-9000"',
    "known: darknet-tiny",
    "nsfwjs-mobilenet-v2",
  );
  await rejectsWith(loadZooModel("zoo:nope"), 'unknown zoo model "nope"', "darknet-tiny");
  await rejectsWith(
    loadZooModel("nsfwjs-inception-v3"),
    "is a known model",
    'addZooModel("nsfwjs-inception-v3", path)',
  );
  await rejectsWith(loadZooModel(SQUEEZENET), "weights-only", "meta.architecture");
  await rejectsWith(loadZooModel(join(tmp, "no", "such", "model")), "not a model", "no such file or folder");
  await rejectsWith(loadZooModel(join(DARKNET, "PROVENANCE.md")), "not a model");
  await rejectsWith(addZooModel("bad name!", MOBILENET), "not valid");
  await rejectsWith(addZooModel("darknet-tiny", MOBILENET), "built-in");

  const before = await cacheEntries();
  await rejectsWith(
    addZooModel("my-weights", SQUEEZENET),
    "weights-only",
    "meta.architecture",
    "squeezenet-1.1",
  );
  const broken = join(tmp, "broken");
  await cp(DARKNET, broken, { recursive: true });
  await truncate(join(broken, "group19-shard1of1"), 10);
  await rejectsWith(addZooModel("broken", broken), "group19-shard1of1", "truncated");
  assert.deepEqual(await cacheEntries(), before, "no entry and no temp folder");

  assert.equal(await removeZooModel("small-cnn"), true);
  assert.equal(await removeZooModel("small-cnn"), false);
  assert.ok(!(await listZoo()).some((i) => i.name === "small-cnn"));
});
