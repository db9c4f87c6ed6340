import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import sharp from "sharp";
import { useBackend } from "../src/backend.js";
import { loadZooModel } from "../src/models/zoo/load.js";
import { Rng } from "../src/util/random.js";
import { useScratchHome } from "./helpers/scratch-home.js";
import { smallTransfer } from "./helpers/small-transfer.js";

let dir = "";
useScratchHome("strata-transfer-", (d) => {
  dir = d;
});

/** 24×24 PNGs whose class is the dominant colour channel (and a bright bar for class 2), with noise. */
async function images(k: number, perClass = 10): Promise<{ x: string[]; y: string[] }> {
  const root = join(dir, `images-${k}`);
  const rng = new Rng(20 + k);
  const x: string[] = [];
  const y: string[] = [];
  for (let c = 0; c < k; c++) {
    mkdirSync(join(root, `c${c}`), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(24 * 24 * 3);
      for (let p = 0; p < 24 * 24; p++)
        for (let ch = 0; ch < 3; ch++) pixels[p * 3 + ch] = (ch === c ? 150 : 30) + rng.int(90);
      const file = join(root, `c${c}`, `${i}.png`);
      await sharp(pixels, { raw: { width: 24, height: 24, channels: 3 } })
        .png()
        .toFile(file);
      x.push(file);
      y.push(`c${c}`);
    }
  }
  return { x, y };
}

const small = smallTransfer;

// The classifier contract of TransferClassifier runs in contract.test.ts, as every kind's does.

test("fine-tuning trains only the top blocks; frozen batch-norm layers keep ImageNet's statistics", async () => {
  await useBackend();
  const { x, y } = await images(2, 8);
  const model = await small({ fineTune: 1, epochsFine: 2 }).fit(x, y);
  const { model: original } = await loadZooModel("darknet-tiny", { inputSize: 32 });
  const byName = new Map(original.layers.map((l) => [l.name, l]));
  const backbone = model.network.layers.find((l) => l.name.includes("to_leaky_re_lu_14")) as unknown as {
    layers: { name: string; getWeights(): tf.Tensor[] }[];
  };
  assert.ok(backbone, "the network holds the cut backbone");
  const changed = (name: string) => {
    const now = backbone.layers.find((l: { name: string }) => l.name === name)!.getWeights();
    const before = byName.get(name)!.getWeights();
    return now.some((w: tf.Tensor, i: number) => tf.max(tf.abs(tf.sub(w, before[i]))).dataSync()[0] > 0);
  };
  assert.equal(changed("conv2d_13"), false, "a frozen convolution is unchanged");
  assert.equal(changed("batch_normalization_13"), false, "a frozen batch norm keeps its moving statistics");
  assert.equal(changed("conv2d_14"), true, "the top block's convolution is fine-tuned");
  assert.equal(changed("batch_normalization_14"), true, "the top block's batch norm trains");
  assert.deepEqual(
    model.phases.map((p) => p.name),
    ["setup", "trunk", "features", "head", "fine-tune"],
  );
  original.dispose();
  model.dispose();
});

test("the frozen backbone's features are computed once and cached on disk, keyed by image content", async () => {
  const { x, y } = await images(2, 6);
  const cacheDir = join(dir, "features");
  const first = await small({ fineTune: 0 }).fit(x, y, { cacheDir });
  const cached = (m: { phases: readonly { name: string; cached?: number }[] }) =>
    m.phases.find((p) => p.name === "features")?.cached;
  assert.equal(cached(first), 0);
  const second = await small({ fineTune: 0, epochs: 3 }).fit(x, y, { cacheDir });
  assert.equal(cached(second), x.length, "every image's features come from the cache");
  const other = await small({ fineTune: 0, size: [48, 48] }).fit(x, y, { cacheDir });
  assert.equal(cached(other), 0, "another input size is another cache entry");
  for (const m of [first, second, other]) m.dispose();
});

test("before fine-tuning on the trunk's activations, the head's features come from them: equal to the whole feature network's", async () => {
  await useBackend();
  const { x, y } = await images(2, 6);
  const viaTrunk = join(dir, "features-via-trunk");
  const direct = join(dir, "features-direct");
  const a = await small({ fineTune: 1, epochsFine: 1 }).fit(x, y, { cacheDir: viaTrunk });
  const b = await small({ fineTune: 0 }).fit(x, y, { cacheDir: direct });
  assert.deepEqual(
    a.phases.map((p) => p.name),
    ["setup", "trunk", "features", "head", "fine-tune"],
    "the trunk ran once, before the head",
  );
  // Both runs wrote every image's features to their cache (the same file names: content hashes;
  // the folder holds the decoded-pixel cache too).
  const files = (root: string) =>
    readdirSync(root)
      .filter((d) => statSync(join(root, d)).isDirectory())
      .flatMap((d) => readdirSync(join(root, d)).map((f) => join(root, d, f)))
      .filter((f) => f.endsWith(".f32"))
      .sort((p, q) => basename(p).localeCompare(basename(q)));
  const [fa, fb] = [files(viaTrunk), files(direct)];
  assert.equal(fa.length, x.length);
  assert.deepEqual(
    fa.map((f) => basename(f)),
    fb.map((f) => basename(f)),
  );
  let diff = 0;
  let scale = 0;
  fa.forEach((f, i) => {
    const [va, vb] = [readFileSync(f), readFileSync(fb[i])].map(
      (buf) => new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4),
    );
    for (let k = 0; k < va.length; k++) {
      diff = Math.max(diff, Math.abs(va[k] - vb[k]));
      scale = Math.max(scale, Math.abs(vb[k]));
    }
  });
  assert.ok(scale > 0.01, "features are not all zero");
  assert.ok(diff < 1e-4 * Math.max(1, scale), `features from the trunk differ by ${diff} (scale ${scale})`);
  for (const m of [a, b]) m.dispose();
});

test("a head trained with part of the backbone, then fine-tuning on the trunk's activations, leaves no tensors behind", async () => {
  await useBackend();
  const { x, y } = await images(2, 6);
  // Frozen up to conv2d_13: the head phase trains on images, the trunk is read for fine-tuning only.
  const fit = async () => {
    const model = await small({ freeze: "conv2d_13", fineTune: 1, epochsFine: 1 }).fit(x, y);
    assert.deepEqual(
      model.phases.map((p) => p.name),
      ["setup", "train", "trunk", "fine-tune"],
    );
    model.dispose();
    return tf.memory().numTensors;
  };
  const first = await fit();
  assert.equal(await fit(), first, "a second fit holds no more tensors than the first");
});

test("bad backbones, cuts, freezes and sizes are named", async () => {
  const { x, y } = await images(2, 4);
  await assert.rejects(
    small({ backbone: "resnet-9000" }).fit(x, y),
    /unknown zoo model "resnet-9000"; known: darknet-tiny/,
  );
  await assert.rejects(
    small({ cutAt: "leaky_relu_14" }).fit(x, y),
    /no layer named "leaky_relu_14"; did you mean "leaky_re_lu_14"\?/,
  );
  await assert.rejects(small({ freeze: 500 }).fit(x, y), /cannot freeze 500 layers, the backbone has 46/);
  await assert.rejects(small({ freeze: "conv2d_99" }).fit(x, y), /freeze: no layer named "conv2d_99"/);
  await assert.rejects(small({ fineTune: 40 }).fit(x, y), /the backbone has 14 blocks, cannot unfreeze 40/);
  await assert.rejects(small({ backbone: join(dir, "no-such-model") }).fit(x, y), /no-such-model/);
  await assert.rejects(
    small().fit(x, y, { checkpoint: join(dir, "ck") }),
    /checkpoints are not supported for transfer/,
  );
});
