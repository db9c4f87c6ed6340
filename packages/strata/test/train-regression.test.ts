// fitModel with a regression loss: a dense network ending in a linear output learns numeric
// targets with MSE or Huber, on the native step and on TF.js's (STRATA_NATIVE_STEP=0), the two
// agreeing; accuracy is NaN throughout and the progress lines show the loss only.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { nativeTrainingStats } from "strata-ml-torch/train";
import { useBackend } from "../src/backend.js";
import { ConsoleProgress } from "../src/cli/progress.js";
import { StrataError } from "../src/errors.js";
import type { EpochLogs } from "../src/train/listener.js";
import { fitModel, type TrainConfig } from "../src/train/loop.js";
import { tensorSource } from "../src/train/sources.js";
import { Rng, withSeededMathRandom } from "../src/util/random.js";

/** y = 2 x0 − x1 + noise (x2 is noise), `rows` rows drawn from `seed`. */
function linearData(rows: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: rows * 3 }, () => rng.next() * 2 - 1);
  const y = Float32Array.from(
    { length: rows },
    (_, i) => 2 * x[i * 3] - x[i * 3 + 1] + (rng.next() - 0.5) * 0.1,
  );
  return { x: tf.tensor2d(x, [rows, 3]), y: tf.tensor2d(y, [rows, 1]) };
}

/** 3 inputs → 16 relu → 1 linear, the same initial weights for a seed. */
function regressionNetwork(seed: number): Promise<tfl.LayersModel> {
  return withSeededMathRandom(seed, async () =>
    tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 16, activation: "relu" }),
        tfl.layers.dense({ units: 1 }),
      ],
    }),
  );
}

/** Mean squared error of the model's predictions for x against y. */
function heldOutMse(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): number {
  return tf.tidy(() => tf.mean(tf.squaredDifference(model.predict(x) as tf.Tensor, y)).dataSync()[0]);
}

/** Runs `fn` with STRATA_NATIVE_STEP set for the native step (or TF.js's), restoring it after. */
async function withNativeStep<T>(native: boolean, fn: () => Promise<T>): Promise<T> {
  const previous = process.env.STRATA_NATIVE_STEP;
  process.env.STRATA_NATIVE_STEP = native ? "1" : "0";
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.STRATA_NATIVE_STEP;
    else process.env.STRATA_NATIVE_STEP = previous;
  }
}

/** Fits the network on 400 rows (validating on 100) and measures it on 200 held-out rows. */
async function fitLinear(native: boolean, config: Partial<TrainConfig>, weighted = false) {
  return withNativeStep(native, async () => {
    const train = linearData(400, 1);
    const val = linearData(100, 2);
    const held = linearData(200, 3);
    const weights = weighted ? Float32Array.from({ length: 400 }, (_, i) => (i % 2 ? 1.5 : 0.5)) : undefined;
    const model = await regressionNetwork(7);
    const logged: EpochLogs[] = [];
    const steps = nativeTrainingStats().steps;
    const result = await fitModel(
      model,
      tensorSource(train.x, train.y, { batchSize: 32, seed: 4, weights }),
      tensorSource(val.x, val.y, { batchSize: 100 }),
      { epochs: 30, learningRate: 0.01, patience: 5, ...config },
      { onEpochEnd: (logs) => void logged.push(logs) },
    );
    const mse = heldOutMse(model, held.x, held.y);
    const values = model.getWeights().map((w) => Array.from(w.dataSync()));
    const ranNative = nativeTrainingStats().steps > steps;
    model.dispose();
    tf.dispose([train.x, train.y, val.x, val.y, held.x, held.y]);
    return { result, mse, values, logged, ranNative };
  });
}

/** The largest difference between two fits' weights. */
function weightDifference(a: number[][], b: number[][]): number {
  let diff = 0;
  a.forEach((w, i) => {
    w.forEach((v, k) => {
      diff = Math.max(diff, Math.abs(v - b[i][k]));
    });
  });
  return diff;
}

for (const loss of ["mse", "huber"] as const) {
  test(`fitModel, loss ${loss}: y = 2 x0 − x1 is learnt on the native step and on TF.js's, alike`, async () => {
    await useBackend();
    const tensors = tf.memory().numTensors;
    const native = await fitLinear(true, { loss });
    const tfjs = await fitLinear(false, { loss });
    assert.ok(tf.memory().numTensors <= tensors, "no tensors left behind");
    if (tf.getBackend() === "torch") assert.ok(native.ranNative, "the native step ran");
    assert.ok(!tfjs.ranNative, "STRATA_NATIVE_STEP=0 trains through TF.js");
    // The targets' variance is about 5/3: a fit that learnt the relation is far below it.
    for (const fit of [native, tfjs]) {
      assert.ok(fit.mse < 0.02, `held-out MSE ${fit.mse}`);
      for (const h of fit.result.history) {
        assert.ok(Number.isNaN(h.accuracy) && Number.isNaN(h.valAccuracy), "no accuracy for numeric targets");
        assert.ok(Number.isFinite(h.loss) && Number.isFinite(h.valLoss ?? Number.NaN));
      }
    }
    assert.deepEqual(native.logged, native.result.history, "the listener saw each epoch's logs");
    assert.equal(native.result.bestEpoch, tfjs.result.bestEpoch);
    native.result.history.forEach((h, i) => {
      const t = tfjs.result.history[i];
      assert.ok(Math.abs(h.loss - t.loss) < 1e-4, `epoch ${i + 1} loss ${h.loss} vs ${t.loss}`);
      assert.ok(Math.abs((h.valLoss ?? 0) - (t.valLoss ?? 0)) < 1e-4, `epoch ${i + 1} val loss`);
    });
    const diff = weightDifference(native.values, tfjs.values);
    assert.ok(diff < 1e-3, `max weight difference ${diff} after ${native.result.epochsRun} epochs`);
  });
}

test("fitModel, loss mse with row weights and huber with another delta: the two steps agree", async () => {
  await useBackend();
  for (const config of [{ loss: "mse" as const }, { loss: "huber" as const, huberDelta: 0.1 }]) {
    const weighted = config.loss === "mse";
    const native = await fitLinear(true, { ...config, epochs: 4 }, weighted);
    const tfjs = await fitLinear(false, { ...config, epochs: 4 }, weighted);
    native.result.history.forEach((h, i) => {
      assert.ok(Math.abs(h.loss - tfjs.result.history[i].loss) < 1e-4, `${config.loss}: epoch ${i + 1} loss`);
    });
    const diff = weightDifference(native.values, tfjs.values);
    assert.ok(diff < 1e-4, `${config.loss}: max weight difference ${diff}`);
  }
  // Huber with a small delta is mostly linear: its loss is far below the MSE's on the same errors.
  const huber = await fitLinear(true, { loss: "huber", huberDelta: 0.1, epochs: 1 });
  const mse = await fitLinear(true, { loss: "mse", epochs: 1 });
  assert.ok(huber.result.history[0].loss < mse.result.history[0].loss);
});

test("fitModel refuses a loss choice that cannot work, in one line naming the option", async () => {
  await useBackend();
  const model = await regressionNetwork(1);
  const { x, y } = linearData(20, 1);
  const fit = (config: Partial<TrainConfig>, targets: tf.Tensor = y) =>
    fitModel(model, tensorSource(x, targets, { batchSize: 8 }), undefined, {
      epochs: 1,
      learningRate: 0.01,
      patience: 0,
      ...config,
    });
  const twoColumns = tf.concat([y, y], 1);
  const refused: [Partial<TrainConfig>, tf.Tensor, RegExp][] = [
    [
      { loss: "mae" as TrainConfig["loss"] },
      y,
      /^loss: expected "crossentropy", "mse" or "huber", got "mae"$/,
    ],
    [{ loss: "mse", huberDelta: 2 }, y, /^huberDelta: only for loss "huber"/],
    [{ loss: "huber", huberDelta: -1 }, y, /^huberDelta: expected a positive number, got -1$/],
    [{ loss: "mse" }, twoColumns, /^loss "mse": expected targets of shape \[rows, 1\] .*got \[20, 2\]$/],
  ];
  for (const [config, targets, message] of refused)
    await assert.rejects(fit(config, targets), (e) => e instanceof StrataError && message.test(e.message));
  tf.dispose([x, y, twoColumns]);
  model.dispose();
});

test("ConsoleProgress: a regression fit's epoch lines show the loss and no accuracy", () => {
  let text = "";
  const write = (s: string) => {
    text += s;
    return true;
  };
  const out = { isTTY: false, write } as unknown as NodeJS.WriteStream;
  const progress = new ConsoleProgress(out);
  progress.onTrainStart({ epochs: 2 });
  const logs = { epochs: 2, seconds: 0.5, improved: true, accuracy: Number.NaN, valAccuracy: Number.NaN };
  progress.onEpochEnd({ ...logs, epoch: 1, loss: 0.25, valLoss: 0.3 });
  progress.onEpochEnd({ ...logs, epoch: 2, loss: 0.125, accuracy: 0.5, valLoss: 0.2, valAccuracy: 0.75 });
  const lines = text.trim().split("\n");
  assert.match(lines[0], /^Epoch 1\/2 {2}0\.5s {2}loss 0\.2500 {2}val_loss 0\.3000 {2}ETA ≤0:01 {2}\*$/);
  assert.match(
    lines[1],
    /loss 0\.1250 {2}acc 0\.5000 {2}val_loss 0\.2000 {2}val_acc 0\.7500/,
    "a classifier's still has it",
  );
});
