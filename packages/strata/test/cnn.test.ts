import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { CnnClassifier } from "../src/estimators/cnn.js";
import type { KindDescriptor } from "../src/estimators/descriptor.js";
import { CNN_KIND } from "../src/estimators/descriptors/cnn.js";
import { IMAGE_DENSE_KIND } from "../src/estimators/descriptors/image-dense.js";
import { TRANSFER_KIND, transferVariant } from "../src/estimators/descriptors/transfer.js";
import { ImageClassifier } from "../src/estimators/image.js";
import { ImageDenseClassifier } from "../src/estimators/image-dense.js";
import { parseAugment, parseChannels, parseSize, showAugment } from "../src/estimators/image-param-parse.js";
import { upgradeImageSpec } from "../src/estimators/legacy-image-kind.js";
import { TransferClassifier } from "../src/estimators/transfer.js";
import { buildCnn, buildFlatDense, defaultCnnConfig } from "../src/models/cnn.js";

test("the small-image default is the classic two-block CNN, with exact parameter counts", async () => {
  await useBackend();
  const model = buildCnn(defaultCnnConfig([32, 32, 3], 10));
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  const convs = model.layers.filter((l) => l.getClassName() === "Conv2D").map((l) => l.getConfig().filters);
  assert.deepEqual(convs, [32, 32, 64, 64]);
  // Convs without bias (batch norm follows): 3·3·3·32 + 3·3·32·32 + 3·3·32·64 + 3·3·64·64 = 65,376;
  // batch norm: 4 params per channel: 4·(32+32+64+64) = 768; dense: 8·8·64·128 + 128 = 524,416;
  // output: 128·10 + 10 = 1,290.
  assert.equal(model.countParams(), 65_376 + 768 + 524_416 + 1_290);
  model.dispose();
});

test("large inputs get a stride-2 stem and global pooling, so parameters do not grow with the image", async () => {
  await useBackend();
  const a = buildCnn(defaultCnnConfig([128, 128, 3], 5));
  const b = buildCnn(defaultCnnConfig([224, 224, 3], 5));
  assert.equal(a.countParams(), b.countParams());
  assert.deepEqual(b.outputs[0].shape, [null, 5]);
  const x = tf.zeros([2, 128, 128, 3]);
  const y = a.predict(x) as tf.Tensor;
  assert.deepEqual(y.shape, [2, 5]);
  const sums = tf.sum(y, 1).dataSync();
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5);
  tf.dispose([x, y]);
  a.dispose();
  b.dispose();
});

test("a CNN learns a spatial pattern that the flattened dense baseline also sees; binary heads use one sigmoid", async () => {
  await useBackend();
  // Class 1 has a bright 2×2 square somewhere in the image; class 0 has none.
  const n = 64;
  const pixels = new Float32Array(n * 8 * 8);
  const labels = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    if (i % 2) {
      const r = (i * 3) % 7;
      const c = (i * 5) % 7;
      for (const [dr, dc] of [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
      ])
        pixels[i * 64 + (r + dr) * 8 + c + dc] = 1;
    }
  }
  const x = tf.tensor4d(pixels, [n, 8, 8, 1]);
  const y = tf.tensor2d(labels, [n, 1]);
  const cnn = buildCnn({
    ...defaultCnnConfig([8, 8, 1], 2),
    blockFilters: [8],
    denseUnits: 16,
    blockDropout: 0,
    headDropout: 0,
  });
  assert.deepEqual(cnn.outputs[0].shape, [null, 1]);
  cnn.compile({ optimizer: tf.train.adam(0.01), loss: "binaryCrossentropy", metrics: ["accuracy"] });
  const h = await cnn.fit(x, y, { epochs: 30, batchSize: 16, verbose: 0 });
  const acc = h.history.acc as number[];
  assert.ok(acc[acc.length - 1] >= 0.95, `CNN training accuracy ${acc[acc.length - 1]}`);
  const flat = buildFlatDense([8, 8, 1], 2, [16]);
  assert.deepEqual(flat.outputs[0].shape, [null, 1]);
  tf.dispose([x, y]);
  cnn.dispose();
  flat.dispose();
});

/** A bad param is refused in the one format, when the model is made or at the latest when fit starts. */
async function refused(make: () => { fit(x: string[], y: string[]): Promise<unknown> }, message: RegExp) {
  await assert.rejects(async () => {
    await make().fit([], []);
  }, message);
}

test("the image kinds refuse bad params in the words they always used", async () => {
  await refused(
    () => new CnnClassifier({ channels: 2 as 3 }),
    /CnnClassifier: channels must be 1 or 3, got 2/,
  );
  await refused(
    () => new CnnClassifier({ size: [4, 4] }),
    /size must be \[height, width\], each an integer >= 8, got \[4,4\]/,
  );
  await refused(() => new CnnClassifier({ learningRate: 0 }), /learningRate must be > 0/);
  await refused(() => new CnnClassifier({ epochs: 0 }), /epochs must be a positive integer/);
  await refused(() => new CnnClassifier({ batchSize: 1.5 }), /batchSize must be a positive integer/);
  await refused(
    () => new CnnClassifier({ validationFraction: 0.5 }),
    /validationFraction must be in \[0, 0\.5\)/,
  );
  await refused(
    () => new ImageDenseClassifier({ hiddenUnits: [0] }),
    /ImageDenseClassifier: hiddenUnits must be positive integers/,
  );
  await refused(() => new ImageClassifier({ model: "rnn" as "cnn" }), /model must be "cnn" or "dense"/);
  await refused(
    () => new TransferClassifier({ fineTune: -1 }),
    /TransferClassifier: fineTune must be an integer >= 0/,
  );
  await refused(
    () => new TransferClassifier({ size: [8, 8] }),
    /size must be null or \[height, width\], each an integer >= 16/,
  );
  await refused(() => new TransferClassifier({ lrMult: 0.5 }), /lrMult must be >= 1/);
  await refused(() => new TransferClassifier({ headDropout: 1 }), /headDropout must be in \[0, 1\)/);
  await refused(
    () => new TransferClassifier({ backbone: "" }),
    /backbone must be a zoo name or a model path/,
  );
  assert.throws(
    () => new ImageDenseClassifier({ architecture: {} } as object),
    /unknown parameter "architecture"/,
  );
  assert.throws(() => new CnnClassifier({ model: "cnn" } as object), /unknown parameter "model"/);
});

test("one name per image model: the kinds, their flags, variants and the old kind image", () => {
  const flags = (kind: KindDescriptor) =>
    Object.values(kind.params as Record<string, { cli?: { flags: string } }>)
      .flatMap((spec) => (spec.cli ? [spec.cli.flags.split(" ")[0]] : []))
      .sort();
  const scratch = [
    "--augment",
    "--batch-size",
    "--channels",
    "--epochs",
    "--lr",
    "--patience",
    "--schedule",
    "--size",
  ];
  assert.deepEqual(flags(CNN_KIND), [...scratch, "--validation-fraction"].sort());
  assert.deepEqual(flags(IMAGE_DENSE_KIND), [...scratch, "--hidden", "--validation-fraction"].sort());
  assert.deepEqual(
    flags(TRANSFER_KIND),
    [
      "--augment",
      "--backbone",
      "--batch-size",
      "--cut-at",
      "--epochs",
      "--epochs-fine",
      "--fine-lr",
      "--fine-tune",
      "--freeze",
      "--head-hidden",
      "--lr",
      "--patience",
      "--schedule",
      "--size",
      "--validation-fraction",
    ].sort(),
  );
  assert.deepEqual(IMAGE_DENSE_KIND.aliases, ["dense"]);
  assert.deepEqual(CNN_KIND.variants?.deep.params, {
    architecture: { blockFilters: [32, 64, 128] },
    epochs: 25,
    validationFraction: 0,
  });
  assert.deepEqual(transferVariant("darknet-tiny")?.params, { backbone: "darknet-tiny" });
  for (const kind of [CNN_KIND, IMAGE_DENSE_KIND, TRANSFER_KIND]) {
    const model = kind.create({}, undefined as never);
    assert.equal(model.kind, kind.name);
    assert.equal(model.input, "images");
    model.dispose();
  }

  assert.deepEqual(parseSize("224x160"), [224, 160]);
  assert.deepEqual(parseSize("32"), [32, 32]);
  assert.throws(() => parseSize("4"), /--size: each side must be in 8\.\.1024, got 4x4/);
  assert.deepEqual(parseAugment("flip,crop=4"), { flip: true, cropPadding: 4 });
  assert.equal(parseAugment("none"), null);
  assert.equal(showAugment({ flip: true, cropPadding: 2 }), "flip,crop=2");
  assert.equal(parseChannels("1"), 1);
  assert.throws(() => parseChannels("2"), /--channels: expected 1, 3, got "2"/);

  const old = { model: "dense", size: [16, 16], hiddenUnits: [8], architecture: {}, cacheDir: "/tmp/x" };
  assert.deepEqual(upgradeImageSpec({ kind: "image", params: old }), {
    kind: "image-dense",
    params: { size: [16, 16], hiddenUnits: [8] },
  });
  assert.deepEqual(upgradeImageSpec({ kind: "image", params: { ...old, model: "cnn" }, name: "cnn:deep" }), {
    kind: "cnn",
    params: { size: [16, 16], architecture: {} },
    name: "cnn:deep",
  });
  assert.deepEqual(upgradeImageSpec({ kind: "image", params: {} }), { kind: "cnn", params: {} });
  const dense = { kind: "dense", params: { hiddenUnits: [8] } };
  assert.equal(upgradeImageSpec(dense), dense);
  assert.throws(
    () => upgradeImageSpec({ kind: "image", params: { model: "rnn" } }),
    /model must be "cnn" or "dense"/,
  );
});
