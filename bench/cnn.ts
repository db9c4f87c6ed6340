/**
 * Small-CNN training speed: Conv32-Conv32-Pool-Conv64-Conv64-Pool-Dense128-Dense10 (3x3 same
 * padding, relu, 2x2 max-pool) on random 32x32x3 images, batch 64, one epoch of tfjs-layers
 * `model.fit` (Adam, categorical cross-entropy) on the torch backend, against the same network in
 * PyTorch eager (bench/peers/cnn.py, in the faster of NCHW and channels_last, picked by a short
 * timed trial at start-up and printed) at the same thread count.
 *
 * Env: TBT_NUM_THREADS, BENCH_CNN_N (5000 images), BENCH_CNN_SIZE (32), BENCH_CNN_BATCH (64),
 * BENCH_CNN_WARMUP_N (256), BENCH_CNN_REPEATS (1, best is reported), BENCH_ADAM (fused | tfjs;
 * default fused: tfjs-backend-torch's fusedAdam, as strata trains), BENCH_PEERS=0.
 */
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import {
  adam,
  adamKind,
  emit,
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

const N = envInt("BENCH_CNN_N", 5000);
const SIZE = envInt("BENCH_CNN_SIZE", 32);
const BATCH = envInt("BENCH_CNN_BATCH", 64);
const WARMUP_N = Math.min(envInt("BENCH_CNN_WARMUP_N", 256), N);
const REPEATS = envInt("BENCH_CNN_REPEATS", 1);
const CLASSES = 10;
const ADAM = adamKind();

const backend = await useTorch();
console.log(`CNN on ${N} random ${SIZE}x${SIZE}x3 images, batch ${BATCH}, threads ${THREADS}, Adam: ${ADAM}`);

const rng = new Rng(0);
const x = tf.tensor4d(randomNormal(N * SIZE * SIZE * 3, rng), [N, SIZE, SIZE, 3]);
const y = tf.tensor2d(randomOneHot(N, CLASSES, rng), [N, CLASSES]);

let seed = 1;
const conv = (filters: number, inputShape?: number[]) =>
  tfl.layers.conv2d({
    ...(inputShape ? { inputShape } : {}),
    filters,
    kernelSize: 3,
    padding: "same",
    activation: "relu",
    kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }),
  });
const model = tfl.sequential({
  layers: [
    conv(32, [SIZE, SIZE, 3]),
    conv(32),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    conv(64),
    conv(64),
    tfl.layers.maxPooling2d({ poolSize: 2 }),
    tfl.layers.flatten(),
    tfl.layers.dense({
      units: 128,
      activation: "relu",
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }),
    }),
    tfl.layers.dense({
      units: CLASSES,
      activation: "softmax",
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed++ }),
    }),
  ],
});
model.compile({ optimizer: adam(ADAM), loss: "categoricalCrossentropy" });
console.log(`parameters: ${model.countParams()}`);

const steps = Math.ceil(N / BATCH);

{
  const xw = tf.slice(x, [0, 0, 0, 0], [WARMUP_N, SIZE, SIZE, 3]);
  const yw = tf.slice(y, [0, 0], [WARMUP_N, CLASSES]);
  const t0 = now();
  await model.fit(xw, yw, { batchSize: BATCH, epochs: 1, verbose: 0 });
  console.log(`warm-up epoch (${WARMUP_N} images): ${fmt(now() - t0)} s`);
  xw.dispose();
  yw.dispose();
}

const before = fallbackSnapshot(backend);
const times: number[] = [];
for (let r = 0; r < REPEATS; r++) {
  const t0 = now();
  const h = await model.fit(x, y, { batchSize: BATCH, epochs: 1, verbose: 0 });
  times.push(now() - t0);
  console.log(
    `epoch ${r + 1}: ${fmt(times[r])} s (${fmt((1000 * times[r]) / steps)} ms/step), ` +
      `loss ${fmt(Number(h.history.loss?.[0]))}`,
  );
}
const fallbacks = reportFallbacks(backend, before, steps * REPEATS, "the timed epochs");

const xb = tf.slice(x, [0, 0, 0, 0], [Math.min(BATCH, N), SIZE, SIZE, 3]);
const yb = tf.slice(y, [0, 0], [Math.min(BATCH, N), CLASSES]);
const kernels = await kernelsPerStep(() => model.trainOnBatch(xb, yb));
reportKernels(kernels, "training step (trainOnBatch)");

// strata's own loop (the native training step) on the same network (fresh weights) and data.
seed = 1;
const strataRun = await strataEpochs(
  tfl.sequential({
    layers: [
      conv(32, [SIZE, SIZE, 3]),
      conv(32),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      conv(64),
      conv(64),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: "relu" }),
      tfl.layers.dense({ units: CLASSES, activation: "softmax" }),
    ],
  }),
  x,
  y,
  BATCH,
  REPEATS,
  WARMUP_N,
);

const peer = runPeer("cnn.py", { n: N, size: SIZE, batch: BATCH, "warmup-n": WARMUP_N, repeats: REPEATS });

const epochS = min(times);
const measurements: Measurement[] = [
  measure(`CNN epoch, strata fitModel (${strataRun.step})`, "s", min(strataRun.times), num(peer, "epoch_s")),
  measure(`CNN epoch (${N} images ${SIZE}x${SIZE}, batch ${BATCH})`, "s", epochS, num(peer, "epoch_s")),
  measure("CNN training step (epoch / steps)", "ms", (1000 * epochS) / steps, num(peer, "step_ms")),
  measure("CNN training throughput", "images/s", N / epochS, num(peer, "images_per_s"), "rate"),
];

emit({
  bench: "cnn",
  threads: THREADS,
  config: { n: N, size: SIZE, batch: BATCH, classes: CLASSES, repeats: REPEATS, adam: ADAM },
  measurements,
  strataEpochTimes: times,
  fitModelEpochTimes: strataRun.times,
  fitModelStep: strataRun.step,
  fallbacks,
  kernelsPerStep: kernels.kernels,
  kernelProfile: kernels,
  peer,
});
