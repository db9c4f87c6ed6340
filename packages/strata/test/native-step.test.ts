import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { fusedAdam } from "strata-ml-torch/optimizers";
import { NativeNetwork, nativeTrainingStats } from "strata-ml-torch/train";
import { useBackend } from "../src/backend.js";
import { DenseClassifier } from "../src/estimators/dense.js";
import { buildDenseNetwork } from "../src/models/dense.js";
import { predictTensor } from "../src/train/forward.js";
import { useFrozenBatchNormInference } from "../src/train/frozen-batch-norm.js";
import { fitModel } from "../src/train/loop.js";
import { tensorSource } from "../src/train/sources.js";
import { classifierObjective, makeTrainStep } from "../src/train/step.js";
import { Rng, withSeededMathRandom } from "../src/util/random.js";
import { loadCsvDataset, trainTestSplit } from "../src/workflow/dataset.js";
import { sharedData } from "./helpers/data.js";

/** Two copies of the same network (same initial weights). */
async function twins(build: () => tfl.LayersModel): Promise<[tfl.LayersModel, tfl.LayersModel]> {
  const a = await withSeededMathRandom(1, async () => build());
  const b = await withSeededMathRandom(1, async () => build());
  b.setWeights(a.getWeights());
  return [a, b];
}

function batches(n: number, shape: number[], classes: number, steps: number, weighted: boolean) {
  const rng = new Rng(7);
  const size = shape.reduce((p, d) => p * d, 1);
  return Array.from({ length: steps }, () => {
    const x = Float32Array.from({ length: n * size }, () => rng.next() * 2 - 1);
    const labels = Array.from({ length: n }, () => rng.int(classes));
    const y =
      classes === 2
        ? Float32Array.from(labels)
        : Float32Array.from({ length: n * classes }, (_, i) =>
            labels[Math.floor(i / classes)] === i % classes ? 1 : 0,
          );
    const w = weighted ? Float32Array.from({ length: n }, () => 0.5 + rng.next()) : undefined;
    return { x, y, w };
  });
}

/** Trains one twin with train/step.ts and the other with the native step; returns the largest weight difference. */
async function compare(
  build: () => tfl.LayersModel,
  shape: number[],
  classes: number,
  opts: { steps?: number; n?: number; weighted?: boolean; lr?: number } = {},
): Promise<{ diff: number; scale: number; lossDiff: number }> {
  await useBackend();
  const [a, b] = await twins(build);
  const initial = b.getWeights().map((w) => w.dataSync().slice());
  const steps = opts.steps ?? 10;
  const n = opts.n ?? 16;
  const outDim = classes === 2 ? 1 : classes;
  const groupOf = (m: tfl.LayersModel) => [
    {
      variables: m.trainableWeights.map((w) => w.read() as tf.Variable),
      optimizer: fusedAdam(opts.lr ?? 0.01),
    },
  ];
  const ga = groupOf(a);
  const gb = groupOf(b);
  const step = makeTrainStep(a, classifierObjective(a), ga);
  const net = NativeNetwork.compile(b);
  assert.ok(net instanceof NativeNetwork, `compiles: ${net}`);
  let lossDiff = 0;
  for (const batch of batches(n, shape, classes, steps, opts.weighted ?? false)) {
    const x = tf.tensor(batch.x, [n, ...shape]);
    const y = tf.tensor2d(batch.y, [n, outDim]);
    const weight = batch.w ? tf.tensor1d(batch.w) : undefined;
    const out = step({ x, y, weight });
    const tsLoss = (await out.loss.data())[0];
    const r = net.trainStep({ x, y, weights: batch.w }, gb, 0);
    lossDiff = Math.max(lossDiff, Math.abs(r.loss - tsLoss));
    tf.dispose([x, y, weight, out.loss, out.accuracy].filter((t) => t !== undefined));
  }
  let diff = 0;
  let scale = 0;
  let moved = 0;
  const wa = a.getWeights();
  const wb = b.getWeights();
  for (let i = 0; i < wa.length; i++) {
    const da = wa[i].dataSync();
    const db = wb[i].dataSync();
    for (let k = 0; k < da.length; k++) {
      diff = Math.max(diff, Math.abs(da[k] - db[k]));
      scale = Math.max(scale, Math.abs(da[k]));
      moved = Math.max(moved, Math.abs(db[k] - initial[i][k]));
    }
  }
  assert.ok(moved > 1e-3, `the native step moved the weights (by ${moved})`);
  // The native step moved the weights (the moments too): the TF.js view of them is current.
  net.dispose();
  for (const g of [...ga, ...gb]) g.optimizer.dispose();
  a.dispose();
  b.dispose();
  if (process.env.NATIVE_STEP_DEBUG) console.log({ diff, scale, lossDiff });
  return { diff, scale, lossDiff };
}

test("native step: a dense network with L2 and row weights trains as train/step.ts does", async () => {
  const r = await compare(
    () =>
      buildDenseNetwork({
        inputDim: 14,
        classes: 6,
        hiddenUnits: [32, 16],
        activation: "relu",
        dropout: 0,
        batchNorm: false,
        l2: 1e-3,
      }),
    [14],
    6,
    { steps: 20, weighted: true },
  );
  assert.ok(r.diff < 1e-4, `max weight difference ${r.diff}`);
  assert.ok(r.lossDiff < 1e-4, `max loss difference ${r.lossDiff}`);
});

test("native step: a binary dense network with batch norm (sigmoid output)", async () => {
  const r = await compare(
    () =>
      buildDenseNetwork({
        inputDim: 5,
        classes: 2,
        hiddenUnits: [8],
        activation: "elu",
        dropout: 0,
        batchNorm: true,
        l2: 0,
      }),
    [5],
    2,
    { steps: 15 },
  );
  assert.ok(r.diff < 1e-4, `max weight difference ${r.diff}`);
});

test("native step: a CNN with batch norm and pooling", async () => {
  const build = () =>
    tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [8, 8, 3],
          filters: 6,
          kernelSize: 3,
          padding: "same",
          useBias: false,
        }),
        tfl.layers.batchNormalization(),
        tfl.layers.activation({ activation: "relu" }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "same", activation: "relu" }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 4, activation: "softmax" }),
      ],
    });
  const r = await compare(build, [8, 8, 3], 4, { steps: 10 });
  assert.ok(r.diff < 1e-4, `max weight difference ${r.diff}`);
});

test("native step: a MobileNetV2-shaped block (zero padding, strided conv, depthwise, relu6, residual add)", async () => {
  const build = () => {
    const input = tfl.input({ shape: [9, 9, 4] });
    let x = tfl.layers
      .zeroPadding2d({
        padding: [
          [0, 1],
          [0, 1],
        ],
      })
      .apply(input) as tfl.SymbolicTensor;
    x = tfl.layers
      .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "valid", useBias: false })
      .apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ momentum: 0.999, epsilon: 1e-3 }).apply(x) as tfl.SymbolicTensor;
    const skip = tfl.layers.reLU({ maxValue: 6 }).apply(x) as tfl.SymbolicTensor;
    let y = tfl.layers
      .conv2d({ filters: 16, kernelSize: 1, useBias: false })
      .apply(skip) as tfl.SymbolicTensor;
    y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.reLU({ maxValue: 6 }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers
      .depthwiseConv2d({ kernelSize: 3, padding: "same", useBias: false })
      .apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.reLU({ maxValue: 6 }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
    x = tfl.layers.add().apply([skip, y]) as tfl.SymbolicTensor;
    x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, activation: "softmax" }).apply(x) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: out });
  };
  const r = await compare(build, [9, 9, 4], 3, { steps: 10 });
  assert.ok(r.diff < 1e-4, `max weight difference ${r.diff}`);
});

/**
 * preprocess → a backbone model (Sequential, nested) → pooling → a head model (functional,
 * nested): the shape of every transfer network. The backbone's first block is frozen (its batch
 * norm on ImageNet statistics), its second batch norm kept in inference mode as fine-tuning does
 * (gamma and beta still train); the head standardises with a frozen batch norm.
 */
function nestedTransferShape(): tfl.LayersModel {
  const backbone = tfl.sequential({
    name: "backbone",
    layers: [
      tfl.layers.conv2d({
        inputShape: [8, 8, 3],
        filters: 6,
        kernelSize: 3,
        padding: "same",
        useBias: false,
      }),
      tfl.layers.batchNormalization(),
      tfl.layers.leakyReLU({ alpha: 0.1 }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "same", useBias: false }),
      tfl.layers.batchNormalization(),
      tfl.layers.reLU(),
    ],
  });
  perturbBatchNorms(backbone, new Rng(11));
  backbone.layers[0].trainable = false;
  backbone.layers[1].trainable = false;
  (backbone.layers[4] as unknown as { inferenceMode: boolean }).inferenceMode = true;
  const features = tfl.input({ shape: [8] });
  const standardize = tfl.layers.batchNormalization({ trainable: false });
  const hidden = tfl.layers.dense({ units: 6, activation: "relu" }).apply(standardize.apply(features));
  const head = tfl.model({
    name: "head",
    inputs: features,
    outputs: tfl.layers.dense({ units: 4, activation: "softmax" }).apply(hidden) as tfl.SymbolicTensor,
  });
  perturbBatchNorms(head, new Rng(12));
  const input = tfl.input({ shape: [8, 8, 3] });
  const pre = tfl.layers.conv2d({ filters: 3, kernelSize: 1, trainable: false }).apply(input);
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(backbone.apply(pre));
  return tfl.model({ inputs: input, outputs: head.apply(pooled) as tfl.SymbolicTensor });
}

test("native step: models used as layers (a backbone with frozen batch norms, a head) train as train/step.ts does", async () => {
  await useBackend(); // installs the fused batch norm, which the frozen rule must wrap
  useFrozenBatchNormInference();
  const fallbacks = nativeTrainingStats().fallbacks;
  const r = await compare(nestedTransferShape, [8, 8, 3], 4, { steps: 10 });
  // Equal weights include the frozen batch norms' moving statistics: neither side moved them.
  assert.ok(r.diff < 1e-4, `max weight difference ${r.diff}`);
  assert.ok(r.lossDiff < 1e-4, `max loss difference ${r.lossDiff}`);
  assert.deepEqual(nativeTrainingStats().fallbacks, fallbacks, "no fallback");
});

test("native forward: a network of models used as layers predicts as model.predict", async () => {
  await useBackend();
  const model = await withSeededMathRandom(5, async () => nestedTransferShape());
  const x = tf.randomUniform([6, 8, 8, 3], 0, 255);
  const net = NativeNetwork.compile(model, { inference: true });
  assert.ok(net instanceof NativeNetwork, `compiles: ${net}`);
  const got = net.predict(x).dataSync();
  const expected = (model.predict(x) as tf.Tensor).dataSync();
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expected[i]) < 1e-5, `entry ${i}`);
  net.dispose();
  x.dispose();
  model.dispose();
});

test("native forward: filters prepared once are made again after a native step updates the weights in place", async () => {
  await useBackend();
  const model = await withSeededMathRandom(6, async () => nestedTransferShape());
  const x = tf.randomUniform([4, 8, 8, 3], 0, 255);
  const y = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3], "int32"), 4), "float32");
  const forward = NativeNetwork.compile(model, { inference: true });
  const train = NativeNetwork.compile(model);
  assert.ok(forward instanceof NativeNetwork && train instanceof NativeNetwork, "both compile");
  const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  const before = forward.predict(x);
  const group = {
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
    optimizer: fusedAdam(0.05),
  };
  for (let i = 0; i < 3; i++) train.trainStep({ x, y }, [group], i);
  const after = forward.predict(x);
  const expected = model.predict(x) as tf.Tensor;
  assert.ok(maxDiff(before, after) > 1e-3, "the trained weights change the prediction");
  assert.ok(
    maxDiff(after, expected) < 1e-5,
    `equals model.predict after training: ${maxDiff(after, expected)}`,
  );
  for (const n of [forward, train]) n.dispose();
  group.optimizer.dispose();
  tf.dispose([x, y, before, after, expected]);
  model.dispose();
});

test("native step: dropout masks are reproducible for a seed and differ across seeds", async () => {
  await useBackend();
  const build = () =>
    buildDenseNetwork({
      inputDim: 6,
      classes: 3,
      hiddenUnits: [16],
      activation: "relu",
      dropout: 0.3,
      batchNorm: false,
      l2: 0,
    });
  const train = async (seeds: number[]) => {
    const m = await withSeededMathRandom(3, async () => build());
    const net = NativeNetwork.compile(m) as NativeNetwork;
    const g = [
      { variables: m.trainableWeights.map((w) => w.read() as tf.Variable), optimizer: fusedAdam(0.01) },
    ];
    for (const [k, b] of batches(8, [6], 3, seeds.length, false).entries()) {
      const x = tf.tensor2d(b.x, [8, 6]);
      const y = tf.tensor2d(b.y, [8, 3]);
      net.trainStep({ x, y }, g, seeds[k]);
      tf.dispose([x, y]);
    }
    const values = Array.from(m.getWeights()[0].dataSync());
    net.dispose();
    g[0].optimizer.dispose();
    m.dispose();
    return values;
  };
  const a = await train([1, 2, 3]);
  assert.deepEqual(await train([1, 2, 3]), a);
  assert.notDeepEqual(await train([1, 2, 4]), a);
});

test("fitModel: the native step and STRATA_NATIVE_STEP=0 (train/step.ts) end with the same weights", async () => {
  await useBackend();
  const rows = 300;
  const rng = new Rng(11);
  const xs = Float32Array.from({ length: rows * 5 }, () => rng.next() * 2 - 1);
  const labels = Array.from({ length: rows }, (_, i) => (xs[i * 5] + xs[i * 5 + 1] > 0 ? 1 : 0));
  const x = tf.tensor2d(xs, [rows, 5]);
  const y = tf.tensor2d(Float32Array.from(labels), [rows, 1]);
  const weights = Float32Array.from(labels, (l) => (l ? 2 : 1));
  const fit = async (native: boolean) => {
    const previous = process.env.STRATA_NATIVE_STEP;
    process.env.STRATA_NATIVE_STEP = native ? "1" : "0";
    try {
      const m = await withSeededMathRandom(5, async () =>
        buildDenseNetwork({
          inputDim: 5,
          classes: 2,
          hiddenUnits: [12],
          activation: "tanh",
          dropout: 0,
          batchNorm: false,
          l2: 1e-3,
        }),
      );
      const result = await fitModel(
        m,
        tensorSource(x, y, { batchSize: 32, seed: 2, weights }),
        tensorSource(x, y, { batchSize: 64 }),
        { epochs: 6, learningRate: 0.01, patience: 2 },
      );
      const values = m.getWeights().map((w) => Array.from(w.dataSync()));
      m.dispose();
      return { values, result };
    } finally {
      if (previous === undefined) delete process.env.STRATA_NATIVE_STEP;
      else process.env.STRATA_NATIVE_STEP = previous;
    }
  };
  const before = nativeTrainingStats().steps;
  const native = await fit(true);
  assert.ok(nativeTrainingStats().steps > before, "the native step ran");
  const tfjs = await fit(false);
  let diff = 0;
  native.values.forEach((w, i) => {
    w.forEach((v, k) => {
      diff = Math.max(diff, Math.abs(v - tfjs.values[i][k]));
    });
  });
  assert.ok(diff < 1e-4, `max weight difference ${diff}`);
  assert.equal(native.result.bestEpoch, tfjs.result.bestEpoch);
  native.result.history.forEach((h, i) => {
    assert.ok(Math.abs(h.loss - tfjs.result.history[i].loss) < 1e-5, `epoch ${i + 1} loss`);
    assert.ok(
      Math.abs((h.valLoss ?? 0) - (tfjs.result.history[i].valLoss ?? 0)) < 1e-5,
      `epoch ${i + 1} val loss`,
    );
  });
  tf.dispose([x, y]);
});

/** Sets every batch norm's moving statistics (and gamma, beta) to values far from their initial ones. */
function perturbBatchNorms(model: tfl.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== "BatchNormalization") continue;
    layer.setWeights(
      layer.getWeights().map((w, k) => {
        // [gamma, beta, moving mean, moving variance]: the variance stays positive.
        const v = Float32Array.from({ length: w.size }, () =>
          k === 3 ? 0.2 + rng.next() * 2 : rng.next() * 2 - 1,
        );
        return tf.tensor(v, w.shape);
      }),
    );
  }
}

test("native forward: predictions equal model.predict (conv + batch norm folded, relu6 and adds in place, the input untouched)", async () => {
  await useBackend();
  const build = () => {
    const input = tfl.input({ shape: [9, 9, 4] });
    // An activation straight on the input: in place it would overwrite the caller's tensor.
    const first = tfl.layers.activation({ activation: "relu6" }).apply(input) as tfl.SymbolicTensor;
    let x = tfl.layers
      .conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: "same", useBias: false })
      .apply(first) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ epsilon: 1e-3 }).apply(x) as tfl.SymbolicTensor;
    const skip = tfl.layers.reLU({ maxValue: 6 }).apply(x) as tfl.SymbolicTensor;
    let y = tfl.layers.conv2d({ filters: 16, kernelSize: 1 }).apply(skip) as tfl.SymbolicTensor;
    y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.activation({ activation: "relu6" }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers
      .depthwiseConv2d({ kernelSize: 3, padding: "same", useBias: false })
      .apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.reLU({ maxValue: 6 }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false }).apply(y) as tfl.SymbolicTensor;
    y = tfl.layers.batchNormalization().apply(y) as tfl.SymbolicTensor;
    // The skip value is read twice (here and by the add): never overwritten before its last read.
    x = tfl.layers.add().apply([skip, y]) as tfl.SymbolicTensor;
    x = tfl.layers.add().apply([x, skip]) as tfl.SymbolicTensor;
    x = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 3, activation: "softmax" }).apply(x) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: out });
  };
  const model = await withSeededMathRandom(3, async () => build());
  const rng = new Rng(5);
  perturbBatchNorms(model, rng);
  const n = 10;
  const pixels = Float32Array.from({ length: n * 9 * 9 * 4 }, () => rng.next() * 8 - 1);
  const x = tf.tensor4d(pixels, [n, 9, 9, 4]);
  const net = NativeNetwork.compile(model, { inference: true });
  assert.ok(net instanceof NativeNetwork, `compiles: ${net}`);
  const expected = (model.predict(x) as tf.Tensor).dataSync();
  const native = net.predict(x);
  assert.deepEqual(native.shape, [n, 3]);
  const got = native.dataSync();
  let diff = 0;
  for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - expected[i]));
  assert.ok(diff < 1e-5, `max difference from model.predict ${diff}`);
  assert.deepEqual(x.dataSync(), pixels, "the input is not written");
  // predictTensor: the same values in batches of 3 rows (native) and through TF.js (STRATA_NATIVE_STEP=0).
  const forwards = nativeTrainingStats().forwards;
  const batched = predictTensor(model, x, 3);
  assert.ok(nativeTrainingStats().forwards >= forwards + 4, "four native batches");
  const previous = process.env.STRATA_NATIVE_STEP;
  process.env.STRATA_NATIVE_STEP = "0";
  const viaTfjs = predictTensor(model, x, 3);
  if (previous === undefined) delete process.env.STRATA_NATIVE_STEP;
  else process.env.STRATA_NATIVE_STEP = previous;
  const [b, t] = [batched.dataSync(), viaTfjs.dataSync()];
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(b[i] - t[i]) < 1e-5, `row ${Math.floor(i / 3)}`);
  assert.throws(() => net.trainStep({ x, y: x }, [], 0), /inference only/);
  net.dispose();
  tf.dispose([x, native, batched, viaTfjs]);
  model.dispose();
});

test("native forward: a feature extractor (no softmax) compiles for inference only; its features equal model.predict", async () => {
  await useBackend();
  const model = await withSeededMathRandom(4, async () =>
    tfl.sequential({
      layers: [
        tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 6, kernelSize: 3, padding: "same" }),
        tfl.layers.batchNormalization(),
        tfl.layers.leakyReLU({ alpha: 0.1 }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.globalAveragePooling2d({}),
      ],
    }),
  );
  perturbBatchNorms(model, new Rng(6));
  assert.equal(typeof NativeNetwork.compile(model), "string", "no training step without a loss");
  const x = tf.randomUniform([5, 8, 8, 3], -1, 1);
  const got = predictTensor(model, x).dataSync();
  const expected = (model.predict(x) as tf.Tensor).dataSync();
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - expected[i]) < 1e-5, `feature ${i}`);
  x.dispose();
  model.dispose();
});

test("DenseClassifier.predictProba: the native forward and STRATA_NATIVE_STEP=0 (model.predict) agree", async () => {
  await useBackend();
  const banknote = loadCsvDataset(sharedData("jbrownlee_extra/banknote_authentication.csv"), {
    header: false,
    target: "c4",
  });
  const { train, test: held } = trainTestSplit(banknote, { testSize: 0.25, seed: 0 });
  const model = await new DenseClassifier({ epochs: 3, seed: 0, batchNorm: true }).fit(train.frame, train.y);
  const forwards = nativeTrainingStats().forwards;
  const native = await model.predictProba(held.frame);
  assert.ok(nativeTrainingStats().forwards > forwards, "predicted natively");
  const previous = process.env.STRATA_NATIVE_STEP;
  process.env.STRATA_NATIVE_STEP = "0";
  try {
    const tfjs = await model.predictProba(held.frame);
    assert.equal(native.data.length, tfjs.data.length);
    for (let i = 0; i < native.data.length; i++)
      assert.ok(
        Math.abs(native.data[i] - tfjs.data[i]) < 1e-5,
        `entry ${i}: ${native.data[i]} vs ${tfjs.data[i]}`,
      );
  } finally {
    if (previous === undefined) delete process.env.STRATA_NATIVE_STEP;
    else process.env.STRATA_NATIVE_STEP = previous;
  }
});
