/**
 * MobileNetV2 training-step speed: one `model.trainOnBatch` (forward, categorical cross-entropy,
 * backward, Adam) of bench/models/mobilenet_v2.ts on the torch backend, against the same step of
 * torchvision's mobilenet_v2 in PyTorch (bench/peers/mobilenet.py --mode train, in the faster of
 * NCHW and channels_last, picked by a short timed trial at start-up and printed). Seconds per step,
 * median of a few steps after warm-up.
 *
 * Env: TBT_NUM_THREADS, BENCH_MNV2_TRAIN_BATCH (16), BENCH_MNV2_SIZE (224), BENCH_MNV2_ALPHA (1.0),
 * BENCH_MNV2_CLASSES (1000), BENCH_MNV2_TRAIN_WARMUP (2), BENCH_MNV2_TRAIN_STEPS (5),
 * BENCH_ADAM (fused | tfjs; default fused, as strata trains), BENCH_PEERS=0.
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  adam,
  adamKind,
  emit,
  envFloat,
  envInt,
  fallbackSnapshot,
  fmt,
  kernelsPerStep,
  type Measurement,
  measure,
  median,
  now,
  num,
  peakRssMiB,
  Rng,
  randomNormal,
  randomOneHot,
  reportFallbacks,
  reportKernels,
  runPeer,
  THREADS,
  useTorch,
} from "./common.js";
import { mobileNetV2 } from "./models/mobilenet_v2.js";

const BATCH = envInt("BENCH_MNV2_TRAIN_BATCH", 16);
const SIZE = envInt("BENCH_MNV2_SIZE", 224);
const ALPHA = envFloat("BENCH_MNV2_ALPHA", 1.0);
const CLASSES = envInt("BENCH_MNV2_CLASSES", 1000);
const WARMUP = envInt("BENCH_MNV2_TRAIN_WARMUP", 2);
const STEPS = envInt("BENCH_MNV2_TRAIN_STEPS", 5);
const ADAM = adamKind();

const backend = await useTorch();
console.log(
  `MobileNetV2 training step: alpha ${ALPHA}, ${SIZE}x${SIZE}, ${CLASSES} classes, batch ${BATCH}, ` +
    `threads ${THREADS}, Adam: ${ADAM}`,
);

const model = mobileNetV2({ size: SIZE, alpha: ALPHA, classes: CLASSES });
model.compile({ optimizer: adam(ADAM), loss: "categoricalCrossentropy" });
console.log(`parameters: ${model.countParams()}`);
const rng = new Rng(0);
const x = tf.tensor4d(randomNormal(BATCH * SIZE * SIZE * 3, rng), [BATCH, SIZE, SIZE, 3]);
const y = tf.tensor2d(randomOneHot(BATCH, CLASSES, rng), [BATCH, CLASSES]);

async function stepOnce(): Promise<{ s: number; loss: number }> {
  const t0 = now();
  const out = await model.trainOnBatch(x, y);
  return { s: now() - t0, loss: Array.isArray(out) ? out[0] : out };
}

for (let i = 0; i < WARMUP; i++) console.log(`warm-up step ${i + 1}: ${fmt((await stepOnce()).s)} s`);
const before = fallbackSnapshot(backend);
const cpu0 = process.cpuUsage();
const times: number[] = [];
for (let i = 0; i < STEPS; i++) {
  const r = await stepOnce();
  times.push(r.s);
  console.log(`step ${i + 1}: ${fmt(r.s)} s, loss ${fmt(r.loss)}`);
}
const cpu = process.cpuUsage(cpu0);
const wall = times.reduce((a, b) => a + b, 0);
console.log(
  `CPU time in the timed part: user ${fmt(cpu.user / 1e6)} s, system ${fmt(cpu.system / 1e6)} s ` +
    `(wall ${fmt(wall)} s)`,
);
const fallbacks = reportFallbacks(backend, before, STEPS, "the timed steps");
const kernels = await kernelsPerStep(() => model.trainOnBatch(x, y));
reportKernels(kernels, "training step (trainOnBatch)");
const peakRss = peakRssMiB();
console.log(`peak RSS of the Node process so far: ${fmt(peakRss)} MiB`);

// The same network through the native training step (one libtorch call per step), fresh weights.
const { NativeNetwork } = await import("strata-ml-torch/train");
const { fusedAdam } = await import("strata-ml-torch/optimizers");
const nativeModel = mobileNetV2({ size: SIZE, alpha: ALPHA, classes: CLASSES });
const net = NativeNetwork.compile(nativeModel);
const nativeTimes: number[] = [];
/** CPU seconds (user + system) of each timed native call: steadier than wall time on a shared machine. */
const nativeCpu: number[] = [];
if (typeof net === "string") console.log(`no native step for MobileNetV2: ${net}`);
else {
  const groups = [
    {
      variables: nativeModel.trainableWeights.map((w) => w.read() as tf.Variable),
      optimizer: fusedAdam(1e-3),
    },
  ];
  for (let i = 0; i < WARMUP + STEPS; i++) {
    const t0 = now();
    const c0 = process.cpuUsage();
    const r = net.trainStep({ x, y }, groups, i);
    const c = process.cpuUsage(c0);
    if (i >= WARMUP) {
      nativeTimes.push(now() - t0);
      nativeCpu.push((c.user + c.system) / 1e6);
    }
    console.log(
      `native step ${i + 1}${i < WARMUP ? " (warm-up)" : ""}: ${fmt(now() - t0)} s, loss ${fmt(r.loss)}`,
    );
  }
  net.dispose();
  groups[0].optimizer.dispose();
}
nativeModel.dispose();

const peer = runPeer("mobilenet.py", {
  mode: "train",
  batch: BATCH,
  size: SIZE,
  alpha: ALPHA,
  classes: CLASSES,
  warmup: WARMUP,
  steps: STEPS,
});

const stepS = median(times);
const torchStep = num(peer, "step_s");
const measurements: Measurement[] = [
  ...(nativeTimes.length
    ? [
        measure(
          `MobileNetV2 native training step batch ${BATCH} ${SIZE}x${SIZE} (median)`,
          "s/step",
          median(nativeTimes),
          torchStep,
        ),
      ]
    : []),
  measure(`MobileNetV2 training step batch ${BATCH} ${SIZE}x${SIZE} (median)`, "s/step", stepS, torchStep),
  measure(
    "MobileNetV2 training throughput",
    "images/s",
    BATCH / stepS,
    torchStep === null ? null : BATCH / torchStep,
    "rate",
  ),
  measure("peak RSS (whole process)", "MiB", peakRss, num(peer, "peak_rss_mib"), "memory"),
];

if (nativeCpu.length)
  console.log(
    `native CPU time per step: ${fmt(median(nativeCpu))} s | PyTorch ${fmt(num(peer, "cpu_s"))} s | ratio ` +
      `${num(peer, "cpu_s") ? fmt(median(nativeCpu) / (num(peer, "cpu_s") as number), 3) : "n/a"}x`,
  );

emit({
  bench: "mobilenet_train",
  threads: THREADS,
  config: {
    batch: BATCH,
    size: SIZE,
    alpha: ALPHA,
    classes: CLASSES,
    warmup: WARMUP,
    steps: STEPS,
    adam: ADAM,
  },
  params: model.countParams(),
  measurements,
  strataTimes: times,
  fallbacks,
  kernelsPerStep: kernels.kernels,
  kernelProfile: kernels,
  cpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6, wall },
  nativeCpuS: nativeCpu.length ? median(nativeCpu) : null,
  peer,
});
