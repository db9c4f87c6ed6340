import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { buildCnn, defaultCnnConfig } from "../src/models/cnn.js";
import { identityDifferences, readCheckpoint, writeCheckpoint } from "../src/train/checkpoint.js";
import { fitModel } from "../src/train/loop.js";
import type { BatchSource } from "../src/train/sources.js";
import { Rng } from "../src/util/random.js";

/** Temporary directories made by the tests below, removed when they have run. */
const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
/** A fresh temporary directory, removed after the tests. */
function madeTemp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

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

test("fitModel trains a CNN from streamed batches, validates each epoch and leaves no tensors behind", async () => {
  await useBackend();
  const before = tf.memory().numTensors;
  const model = buildCnn({
    ...defaultCnnConfig([8, 8, 1], 2),
    blockFilters: [8],
    denseUnits: 16,
    headDropout: 0,
  });
  const epochsSeen: number[] = [];
  const result = await fitModel(model, source(256, 32, 1), source(64, 32, 2), {
    epochs: 8,
    learningRate: 0.01,
    schedule: { kind: "cosine" },
    patience: 0,
    checkpoint: async (state) => {
      epochsSeen.push(state.epoch);
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

test("a fit stopped after epoch 2 and resumed from its checkpoint ends with the uninterrupted fit's weights", async () => {
  await useBackend();
  const dir = madeTemp("strata-ckpt-");
  const config = { epochs: 4, learningRate: 0.01, schedule: { kind: "cosine" as const }, patience: 0 };
  const network = () =>
    buildCnn({ ...defaultCnnConfig([8, 8, 1], 2), blockFilters: [4], denseUnits: 8, headDropout: 0 });
  const identity = { kind: "test", params: {}, classes: ["0", "1"], data: "" };
  const before = tf.memory().numTensors;

  const throwaway = network();
  const start = throwaway.getWeights();
  const whole = network();
  whole.setWeights(start);
  const reference = await fitModel(whole, source(64, 16, 3), source(32, 16, 4), config);
  const expected = whole.getWeights().map((w) => Array.from(w.dataSync()));

  // The same start, stopped (as by a crash) right after the checkpoint of epoch 2 is written.
  const stop = new Error("stop");
  const initial = network();
  initial.setWeights(start);
  await assert.rejects(
    fitModel(initial, source(64, 16, 3), source(32, 16, 4), {
      ...config,
      checkpoint: async (state) => {
        await writeCheckpoint(dir, identity, state);
        if (state.epoch === 2) throw stop;
      },
    }),
    stop,
  );
  const saved = await readCheckpoint(dir);
  assert.ok(saved);
  assert.equal(saved.state.epoch, 2);
  assert.deepEqual(saved.identity, identity);
  const seen: number[] = [];
  const first = network(); // its own random start: resuming overwrites it
  const resumed = await fitModel(
    first,
    source(64, 16, 3),
    source(32, 16, 4),
    { ...config, resume: saved.state },
    { onEpochEnd: (logs) => seen.push(logs.epoch) },
  );
  saved.dispose();
  assert.deepEqual(seen, [3, 4], "only the remaining epochs run");
  assert.deepEqual(
    resumed.history.map((h) => h.epoch),
    [1, 2, 3, 4],
  );
  assert.deepEqual(
    resumed.history.map((h) => h.valLoss),
    reference.history.map((h) => h.valLoss),
  );
  assert.equal(resumed.bestEpoch, reference.bestEpoch);
  assert.deepEqual(
    first.getWeights().map((w) => Array.from(w.dataSync())),
    expected,
  );
  for (const m of [throwaway, whole, first, initial]) m.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
});

test("a damaged or newer checkpoint is refused with a message naming it", async () => {
  const dir = madeTemp("strata-ckpt-");
  assert.equal(await readCheckpoint(dir), undefined, "an empty folder holds no checkpoint");
  writeFileSync(join(dir, "checkpoint.json"), JSON.stringify({ format: 99, strataVersion: "9.0.0" }));
  writeFileSync(join(dir, "state.bin"), "");
  await assert.rejects(readCheckpoint(dir), /checkpoint format 99 was written by strata 9\.0\.0.*upgrade/);
  writeFileSync(
    join(dir, "checkpoint.json"),
    JSON.stringify({
      format: 1,
      specs: [{ name: "model/0", shape: [4], dtype: "float32" }],
      groups: { weights: 1, optimizer: [], best: 0 },
      best: { epoch: 0, loss: "Infinity", sinceBest: 0 },
    }),
  );
  await assert.rejects(readCheckpoint(dir), /state\.bin: 0 bytes, expected 16 \(a damaged checkpoint\)/);
  writeFileSync(join(dir, "checkpoint.json"), "{");
  await assert.rejects(readCheckpoint(dir), /unreadable checkpoint/);
});

test("a checkpoint moved aside by an interrupted replace is still found; damaged fields are named", async () => {
  await useBackend();
  const root = madeTemp("strata-ckpt-");
  const identity = { kind: "test", params: { a: { x: 1, y: 2 } }, classes: ["0", "1"], data: "d" };
  const w = tf.tensor1d([1, 2, 3]);
  const state = {
    epoch: 3,
    history: [],
    seconds: 1,
    stoppedEarly: false,
    weights: [w],
    optimizers: [[]],
    best: { epoch: 0, loss: Number.NaN, sinceBest: 0 },
  };
  // As writeDirAtomic leaves it when killed between its two renames: only the moved-aside copy.
  await writeCheckpoint(join(root, ".last.old-123-abcd"), identity, state);
  const found = await readCheckpoint(join(root, "last"));
  assert.ok(found, "the moved-aside checkpoint is used");
  assert.equal(found.state.epoch, 3);
  assert.ok(Number.isNaN(found.state.best.loss), "a NaN best loss stays NaN");
  assert.deepEqual(Array.from(found.state.weights[0].dataSync()), [1, 2, 3]);
  found.dispose();
  // Settings compare by value, whatever order their keys were written in.
  assert.deepEqual(identityDifferences(identity, { ...identity, params: { a: { y: 2, x: 1 } } }), []);
  assert.deepEqual(identityDifferences(identity, { ...identity, params: { a: { y: 3, x: 1 } } }), [
    'a: {"x":1,"y":2} → {"x":1,"y":3}',
  ]);
  const bad = join(root, "bad");
  mkdirSync(bad);
  writeFileSync(join(bad, "checkpoint.json"), JSON.stringify({ format: 1 }));
  writeFileSync(join(bad, "state.bin"), "");
  await assert.rejects(readCheckpoint(bad), /checkpoint\.json: not a strata checkpoint \(fields missing\)/);
  w.dispose();
});
