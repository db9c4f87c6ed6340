/**
 * MLP training speed: 14 -> 256 -> 128 -> 10 (relu, softmax) on random data, batch 256, one epoch
 * of tfjs-layers `model.fit` (Adam, categorical cross-entropy) on the torch backend, against the
 * same network in PyTorch eager (bench/peers/mlp.py) at the same thread count. Also TF.js's
 * per-op overhead on the torch backend (a 1-element tf.add) against PyTorch's.
 *
 * The headline figure trains with tfjs-backend-torch's fusedAdam (what strata uses); a second
 * model trains with TF.js's own tf.train.adam for comparison (BENCH_MLP_BOTH_ADAMS=0 skips it).
 *
 * Env: TBT_NUM_THREADS (threads, both sides), BENCH_MLP_ROWS (100000), BENCH_MLP_BATCH (256),
 * BENCH_MLP_WARMUP_ROWS (5120), BENCH_MLP_REPEATS (2, best is reported), BENCH_OP_N (10000),
 * BENCH_ADAM (fused | tfjs: the headline optimizer), BENCH_PEERS=0 (skip PyTorch).
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import {
  type AdamKind,
  adam,
  adamKind,
  emit,
  envFlag,
  envInt,
  fallbackSnapshot,
  fmt,
  kernelsPerStep,
  type Measurement,
  measure,
  min,
  now,
  num,
  Rng,
  randomNormal,
  randomOneHot,
  reportFallbacks,
  reportKernels,
  runPeer,
  strataEpochs,
  THREADS,
  useTorch,
} from "./common.js";

const ROWS = envInt("BENCH_MLP_ROWS", 100_000);
const BATCH = envInt("BENCH_MLP_BATCH", 256);
const WARMUP_ROWS = Math.min(envInt("BENCH_MLP_WARMUP_ROWS", 5120), ROWS);
const REPEATS = envInt("BENCH_MLP_REPEATS", 2);
const OP_N = envInt("BENCH_OP_N", 10_000);
const ADAM = adamKind();
const BOTH = envFlag("BENCH_MLP_BOTH_ADAMS");
const FEATURES = 14;
const CLASSES = 10;

const backend = await useTorch();
console.log(`MLP ${FEATURES}-256-128-${CLASSES}, ${ROWS} rows, batch ${BATCH}, threads ${THREADS}`);

const rng = new Rng(0);
const x = tf.tensor2d(randomNormal(ROWS * FEATURES, rng), [ROWS, FEATURES]);
const y = tf.tensor2d(randomOneHot(ROWS, CLASSES, rng), [ROWS, CLASSES]);
const steps = Math.ceil(ROWS / BATCH);

function buildModel(kind: AdamKind): tfl.LayersModel {
  const model = tfl.sequential({
    layers: [
      tfl.layers.dense({
        inputShape: [FEATURES],
        units: 256,
        activation: "relu",
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
      }),
      tfl.layers.dense({
        units: 128,
        activation: "relu",
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
      }),
      tfl.layers.dense({
        units: CLASSES,
        activation: "softmax",
        kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
      }),
    ],
  });
  model.compile({ optimizer: adam(kind), loss: "categoricalCrossentropy" });
  return model;
}

interface Run {
  times: number[];
  fallbacks: Record<string, number>;
  kernels: number;
}

/** Warm-up epoch on WARMUP_ROWS rows, then REPEATS timed full epochs, fallbacks, kernels per step. */
async function train(kind: AdamKind): Promise<Run> {
  const label = kind === "fused" ? "fusedAdam" : "tf.train.adam";
  console.log(`-- model.fit with ${label}`);
  const model = buildModel(kind);
  const xw = tf.slice(x, [0, 0], [WARMUP_ROWS, FEATURES]);
  const yw = tf.slice(y, [0, 0], [WARMUP_ROWS, CLASSES]);
  let t0 = now();
  await model.fit(xw, yw, { batchSize: BATCH, epochs: 1, verbose: 0 });
  console.log(`warm-up epoch (${WARMUP_ROWS} rows): ${fmt(now() - t0)} s`);
  xw.dispose();
  yw.dispose();

  const before = fallbackSnapshot(backend);
  const times: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    t0 = now();
    const h = await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0 });
    times.push(now() - t0);
    console.log(
      `epoch ${r + 1}: ${fmt(times[r])} s (${fmt((1000 * times[r]) / steps)} ms/step), ` +
        `loss ${fmt(Number(h.history.loss?.[0]))}`,
    );
  }
  const fallbacks = reportFallbacks(backend, before, steps * REPEATS, `the timed epochs (${label})`);

  const xb = tf.slice(x, [0, 0], [BATCH, FEATURES]);
  const yb = tf.slice(y, [0, 0], [BATCH, CLASSES]);
  const kernels = await kernelsPerStep(() => model.trainOnBatch(xb, yb));
  reportKernels(kernels, `training step (trainOnBatch, ${label})`);
  xb.dispose();
  yb.dispose();
  model.dispose();
  return { times, fallbacks, kernels: kernels.kernels };
}

const main = await train(ADAM);
// strata's own loop (the native training step) on the same network and data.
const strataRun = await strataEpochs(buildModel(ADAM), x, y, BATCH, REPEATS, WARMUP_ROWS);
const other: AdamKind = ADAM === "fused" ? "tfjs" : "fused";
const second = BOTH ? await train(other) : null;

// TF.js per-op overhead on the torch backend: a 1-element add, result disposed.
const a = tf.tensor1d([1]);
const b = tf.tensor1d([2]);
for (let i = 0; i < 1000; i++) tf.add(a, b).dispose();
const opBefore = fallbackSnapshot(backend);
const t0 = now();
for (let i = 0; i < OP_N; i++) tf.add(a, b).dispose();
const opUs = (1e6 * (now() - t0)) / OP_N;
console.log(`per-op overhead (tf.add of 1-element tensors, ${OP_N} ops): ${fmt(opUs)} µs/op`);
reportFallbacks(backend, opBefore, OP_N, "the tf.add loop");

const peer = runPeer("mlp.py", {
  rows: ROWS,
  batch: BATCH,
  "warmup-rows": WARMUP_ROWS,
  repeats: REPEATS,
  "op-n": OP_N,
});

const name = (kind: AdamKind) => (kind === "fused" ? "fusedAdam" : "tf.train.adam");
const epochS = min(main.times);
const measurements: Measurement[] = [
  measure(
    `MLP epoch, strata fitModel (${strataRun.step}, best of ${REPEATS})`,
    "s",
    min(strataRun.times),
    num(peer, "epoch_s"),
  ),
  measure(
    `MLP epoch (${ROWS} rows, batch ${BATCH}, ${name(ADAM)}, best of ${REPEATS})`,
    "s",
    epochS,
    num(peer, "epoch_s"),
  ),
  measure(`MLP training step (${name(ADAM)})`, "ms", (1000 * epochS) / steps, num(peer, "step_ms")),
];
if (second) {
  const s = min(second.times);
  measurements.push({
    ...measure(`MLP training step (${name(other)})`, "ms", (1000 * s) / steps, num(peer, "step_ms")),
    kernelsPerStep: second.kernels,
  });
}
measurements.push({
  ...measure("per-op overhead (1-element add)", "µs/op", opUs, num(peer, "op_us")),
  kernelsPerStep: 1,
});

emit({
  bench: "mlp",
  threads: THREADS,
  config: {
    rows: ROWS,
    batch: BATCH,
    features: FEATURES,
    classes: CLASSES,
    repeats: REPEATS,
    opN: OP_N,
    adam: ADAM,
  },
  measurements,
  strataEpochTimes: main.times,
  fitModelEpochTimes: strataRun.times,
  fitModelStep: strataRun.step,
  fallbacks: main.fallbacks,
  kernelsPerStep: main.kernels,
  ...(second
    ? {
        [`with_${other}`]: {
          epochTimes: second.times,
          fallbacks: second.fallbacks,
          kernelsPerStep: second.kernels,
        },
      }
    : {}),
  peer,
});
