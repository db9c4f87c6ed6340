import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { buildCnn, defaultCnnConfig } from "../src/models/cnn.js";
import { type BatchSource, fitBatches } from "../src/train/fit-batches.js";
import { Rng } from "../src/util/random.js";

/** Streams 8×8 one-channel images: class 1 has a bright bar in its top half, class 0 in its bottom half. */
function source(n: number, batchSize: number, seed: number): BatchSource {
  return {
    samples: n,
    batchesPerEpoch: Math.ceil(n / batchSize),
    async *batches(epoch: number) {
      const rng = new Rng(seed * 1000 + epoch);
      for (let start = 0; start < n; start += batchSize) {
        const m = Math.min(batchSize, n - start);
        const x = new Float32Array(m * 64);
        const y = new Float32Array(m);
        for (let i = 0; i < m; i++) {
          const label = rng.int(2);
          y[i] = label;
          const row = label ? rng.int(4) : 4 + rng.int(4);
          const col = rng.int(6);
          for (let c = col; c < col + 3; c++) x[i * 64 + row * 8 + c] = 1;
        }
        yield { x: tf.tensor4d(x, [m, 8, 8, 1]), y: tf.tensor2d(y, [m, 1]) };
      }
    },
  };
}

test("fitBatches trains a CNN from streamed batches, validates each epoch and leaves no tensors behind", async () => {
  await useBackend();
  const before = tf.memory().numTensors;
  const model = buildCnn({
    ...defaultCnnConfig([8, 8, 1], 2),
    blockFilters: [8],
    denseUnits: 16,
    headDropout: 0,
  });
  const epochsSeen: number[] = [];
  const result = await fitBatches(model, source(256, 32, 1), source(64, 32, 2), {
    epochs: 8,
    learningRate: 0.01,
    schedule: { kind: "cosine" },
    patience: 0,
    onEpochEnd: async (logs) => {
      epochsSeen.push(logs.epoch);
    },
  });
  assert.deepEqual(epochsSeen, [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(result.epochsRun, 8);
  const last = result.history[result.history.length - 1];
  assert.ok(last.valAccuracy! >= 0.9, `validation accuracy ${last.valAccuracy}`);
  assert.ok(result.history.every((h) => Number.isFinite(h.loss) && h.valLoss !== undefined));
  model.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test("resuming from an epoch runs only the remaining ones", async () => {
  await useBackend();
  const model = buildCnn({
    ...defaultCnnConfig([8, 8, 1], 2),
    blockFilters: [4],
    denseUnits: 8,
    headDropout: 0,
  });
  const result = await fitBatches(model, source(64, 32, 3), undefined, {
    epochs: 5,
    initialEpoch: 3,
    learningRate: 0.01,
    schedule: { kind: "constant" },
    patience: 0,
  });
  assert.deepEqual(
    result.history.map((h) => h.epoch),
    [4, 5],
  );
  model.dispose();
});
