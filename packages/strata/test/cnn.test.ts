import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
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
