/**
 * Memory stability on the torch backend: resident memory (process.memoryUsage().rss) sampled
 * every BENCH_MEM_EVERY steps over BENCH_MEM_STEPS `model.trainOnBatch` steps of a small dense
 * model; prints the samples and the growth from the first sample (after BENCH_MEM_EVERY steps,
 * once allocators and JIT have settled) to the last. It should be about flat. Also samples the
 * live TF.js tensors and live libtorch handles, which must not grow at all.
 *
 * Run it as `node --expose-gc --import tsx bench/memory.ts` (bench/run.sh does) so that each
 * sample follows a full garbage collection; without it, uncollected garbage blurs the figure.
 *
 * Env: TBT_NUM_THREADS, BENCH_MEM_STEPS (10000), BENCH_MEM_EVERY (1000), BENCH_MEM_BATCH (64),
 * BENCH_ADAM (fused | tfjs).
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
  now,
  Rng,
  randomNormal,
  randomOneHot,
  reportFallbacks,
  reportKernels,
  THREADS,
  useTorch,
} from "./common.js";

const STEPS = envInt("BENCH_MEM_STEPS", 10_000);
const EVERY = envInt("BENCH_MEM_EVERY", 1000);
const BATCH = envInt("BENCH_MEM_BATCH", 64);
const ADAM = adamKind();
const FEATURES = 32;
const CLASSES = 4;
const MiB = 1024 * 1024;

const backend = await useTorch();
console.log(
  `memory: dense ${FEATURES}-64-64-${CLASSES}, batch ${BATCH}, ${STEPS} trainOnBatch steps, ` +
    `sampled every ${EVERY}, threads ${THREADS}, Adam: ${ADAM}`,
);

const model = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [FEATURES], units: 64, activation: "relu" }),
    tfl.layers.dense({ units: 64, activation: "relu" }),
    tfl.layers.dense({ units: CLASSES, activation: "softmax" }),
  ],
});
model.compile({ optimizer: adam(ADAM), loss: "categoricalCrossentropy", metrics: ["accuracy"] });

// A few different batches, cycled, so inputs change from step to step.
const rng = new Rng(0);
const batches = Array.from({ length: 8 }, () => ({
  x: tf.tensor2d(randomNormal(BATCH * FEATURES, rng), [BATCH, FEATURES]),
  y: tf.tensor2d(randomOneHot(BATCH, CLASSES, rng), [BATCH, CLASSES]),
}));

interface Sample {
  step: number;
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  tensors: number;
  nativeHandles: number;
  seconds: number;
}

/** Node's collector when run with --expose-gc (bench/run.sh does): samples then follow a full GC. */
const gc = (globalThis as { gc?: () => void }).gc;
console.log(
  gc ? "sampling after a full GC (--expose-gc)" : "no --expose-gc: samples include garbage not yet collected",
);

const samples: Sample[] = [];
function sample(step: number, t0: number): void {
  gc?.();
  const m = process.memoryUsage();
  const s: Sample = {
    step,
    rssMiB: m.rss / MiB,
    heapUsedMiB: m.heapUsed / MiB,
    externalMiB: m.external / MiB,
    tensors: tf.memory().numTensors,
    nativeHandles: backend.addon.live(),
    seconds: now() - t0,
  };
  samples.push(s);
  console.log(
    `step ${String(step).padStart(6)}: rss ${s.rssMiB.toFixed(1)} MiB, JS heap ${s.heapUsedMiB.toFixed(1)} MiB, ` +
      `external ${s.externalMiB.toFixed(1)} MiB, tf tensors ${s.tensors}, libtorch handles ${s.nativeHandles}, ` +
      `${s.seconds.toFixed(1)} s`,
  );
}

const before = fallbackSnapshot(backend);
const t0 = now();
sample(0, t0);
for (let step = 1; step <= STEPS; step++) {
  const b = batches[step % batches.length];
  await model.trainOnBatch(b.x, b.y);
  if (step % EVERY === 0) sample(step, t0);
}
const total = now() - t0;
console.log(`${STEPS} steps in ${fmt(total)} s (${fmt((1000 * total) / STEPS)} ms/step)`);
const fallbacks = reportFallbacks(backend, before, STEPS, "the training steps");
const kernels = await kernelsPerStep(() => model.trainOnBatch(batches[0].x, batches[0].y));
reportKernels(kernels, "training step (trainOnBatch)");

const first = samples.find((s) => s.step >= EVERY) ?? samples[0];
const last = samples[samples.length - 1];
const growth = last.rssMiB - first.rssMiB;
const spanK = (last.step - first.step) / 1000;
console.log(
  `rss growth from step ${first.step} to ${last.step}: ${growth >= 0 ? "+" : ""}${growth.toFixed(1)} MiB` +
    (spanK > 0 ? ` (${(growth / spanK).toFixed(2)} MiB per 1,000 steps)` : "") +
    `; tf tensors ${first.tensors} -> ${last.tensors}, libtorch handles ${first.nativeHandles} -> ${last.nativeHandles}`,
);

// The same network and batches through the native training step (one libtorch call per step).
const { NativeNetwork } = await import("strata-ml-torch/train");
const { fusedAdam } = await import("strata-ml-torch/optimizers");
const nativeModel = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [FEATURES], units: 64, activation: "relu" }),
    tfl.layers.dense({ units: 64, activation: "relu" }),
    tfl.layers.dense({ units: CLASSES, activation: "softmax" }),
  ],
});
const net = NativeNetwork.compile(nativeModel);
if (typeof net === "string") throw new Error(`no native step: ${net}`);
const groups = [
  { variables: nativeModel.trainableWeights.map((w) => w.read() as tf.Variable), optimizer: fusedAdam(1e-3) },
];
const nativeSamples: Sample[] = [];
const n0 = now();
for (let step = 0; step <= STEPS; step++) {
  if (step > 0) net.trainStep(batches[step % batches.length], groups, step);
  if (step % EVERY === 0) {
    sample(step, n0);
    nativeSamples.push(samples.pop() as Sample);
  }
}
const nativeTotal = now() - n0;
const nFirst = nativeSamples.find((s) => s.step >= EVERY) ?? nativeSamples[0];
const nLast = nativeSamples[nativeSamples.length - 1];
const nativeGrowth = nLast.rssMiB - nFirst.rssMiB;
console.log(
  `native step: ${STEPS} steps in ${fmt(nativeTotal)} s (${fmt((1000 * nativeTotal) / STEPS)} ms/step); rss growth ` +
    `from step ${nFirst.step} to ${nLast.step}: ${nativeGrowth >= 0 ? "+" : ""}${nativeGrowth.toFixed(1)} MiB; ` +
    `tf tensors ${nFirst.tensors} -> ${nLast.tensors}, libtorch handles ${nFirst.nativeHandles} -> ${nLast.nativeHandles}`,
);
net.dispose();

emit({
  bench: "memory",
  native: {
    samples: nativeSamples,
    rssGrowthMiB: nativeGrowth,
    tensorGrowth: nLast.tensors - nFirst.tensors,
    nativeHandleGrowth: nLast.nativeHandles - nFirst.nativeHandles,
    msPerStep: (1000 * nativeTotal) / STEPS,
  },
  threads: THREADS,
  config: { steps: STEPS, every: EVERY, batch: BATCH, adam: ADAM, gc: gc !== undefined },
  samples,
  rssGrowthMiB: growth,
  rssGrowthPer1000StepsMiB: spanK > 0 ? growth / spanK : null,
  tensorGrowth: last.tensors - first.tensors,
  nativeHandleGrowth: last.nativeHandles - first.nativeHandles,
  msPerStep: (1000 * total) / STEPS,
  fallbacks,
  kernelsPerStep: kernels.kernels,
});
