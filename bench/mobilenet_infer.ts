/**
 * MobileNetV2 inference speed (images/s): bench/models/mobilenet_v2.ts (tfjs-layers, random
 * weights, NHWC) on the torch backend, on the path the product predicts with
 * (`predictTensor(model, x, batch)` from packages/strata/src/train/forward.ts: the native compiled
 * forward, one libtorch call per batch, where the network compiles, else tfjs-layers'
 * `model.predict`; the output and the JSON's "strataPath" say which ran, and why not native),
 * against torchvision's mobilenet_v2 in eval mode under torch.no_grad() (bench/peers/mobilenet.py,
 * in its fastest set-up, picked by a short timed trial at start-up and printed: NCHW or
 * channels_last, batch norm folded or not), and against ONNX Runtime (onnxruntime-node, when
 * installed) running the same torchvision model exported to ONNX by the peer (written under /tmp,
 * never into the repository). tfjs-layers' `model.predict` on the same batch is timed too, as a
 * reference row (not the headline; the ORT ratio is the product path's).
 *
 * Env: TBT_NUM_THREADS (libtorch and PyTorch intra-op threads), BENCH_MNV2_BATCH (16),
 * BENCH_MNV2_SIZE (224), BENCH_MNV2_ALPHA (1.0), BENCH_MNV2_CLASSES (1000), BENCH_MNV2_WARMUP (2),
 * BENCH_MNV2_STEPS (5; the median batch is reported), BENCH_ORT_THREADS (ORT's intra-op threads:
 * TBT_NUM_THREADS, the same as strata and PyTorch, unless set), BENCH_PEERS=0, BENCH_ORT=0 (skip ORT),
 * BENCH_ORT_DIR (a folder where onnxruntime-node is installed, when it is not in the repository's
 * node_modules: `cd DIR && ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`),
 * STRATA_NATIVE_STEP=0 (the product's switch: predictTensor then runs tfjs-layers' predict).
 */
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { NativeNetwork } from "strata-ml-torch/train";
import { nativeForward, predictTensor } from "../packages/strata/src/train/forward.js";
import { nativeAllowed } from "../packages/strata/src/train/runner.js";
import {
  emit,
  envFlag,
  envFloat,
  envInt,
  fallbackSnapshot,
  fmt,
  type KernelCount,
  kernelsPerStep,
  type Measurement,
  measure,
  median,
  min,
  now,
  num,
  peakRssMiB,
  Rng,
  randomNormal,
  reportFallbacks,
  reportKernels,
  runPeer,
  THREADS,
  useTorch,
} from "./common.js";
import { mobileNetV2 } from "./models/mobilenet_v2.js";

const BATCH = envInt("BENCH_MNV2_BATCH", 16);
const SIZE = envInt("BENCH_MNV2_SIZE", 224);
const ALPHA = envFloat("BENCH_MNV2_ALPHA", 1.0);
const CLASSES = envInt("BENCH_MNV2_CLASSES", 1000);
const WARMUP = envInt("BENCH_MNV2_WARMUP", 2);
const STEPS = envInt("BENCH_MNV2_STEPS", 5);
const ORT = envFlag("BENCH_ORT");
const ORT_THREADS = envInt("BENCH_ORT_THREADS", THREADS); // the same threads as strata and PyTorch

const backend = await useTorch();
console.log(
  `MobileNetV2 inference: alpha ${ALPHA}, ${SIZE}x${SIZE}, ${CLASSES} classes, batch ${BATCH}, threads ${THREADS}`,
);

const model = mobileNetV2({ size: SIZE, alpha: ALPHA, classes: CLASSES });
console.log(`parameters: ${model.countParams()} (Keras MobileNetV2 1.0/224: 3538984)`);
const pixels = randomNormal(BATCH * SIZE * SIZE * 3, new Rng(0));
const x = tf.tensor4d(pixels, [BATCH, SIZE, SIZE, 3]);

// The product's path for this network (predictTensor picks it the same way): said, so the
// headline names what it timed.
const native = nativeForward(model) !== undefined;
let notNativeReason: string | null = null;
if (!native) {
  if (!nativeAllowed()) notNativeReason = `STRATA_NATIVE_STEP=${process.env.STRATA_NATIVE_STEP}`;
  else {
    // nativeForward keeps only the outcome; compiling again gives the reason.
    const again = NativeNetwork.compile(model, { inference: true });
    if (typeof again === "string") notNativeReason = again;
    else {
      again.dispose();
      notNativeReason = "unknown (it compiles now)";
    }
  }
}
const strataPath = native ? "native forward" : "tfjs-layers predict";
console.log(
  `strata's path (predictTensor, as the product runs it): ${strataPath}` +
    (notNativeReason ? ` (reason: ${notNativeReason})` : ""),
);

/** One batch through `run`: wall seconds and CPU seconds (user + system) of the call and its read-back. */
async function timeOnce(run: () => tf.Tensor): Promise<{ wall: number; cpu: number }> {
  const t0 = now();
  const c0 = process.cpuUsage();
  const y = run();
  await y.data();
  const c = process.cpuUsage(c0);
  const wall = now() - t0;
  y.dispose();
  return { wall, cpu: (c.user + c.system) / 1e6 };
}
const productRun = () => predictTensor(model, x, BATCH);
const predictRun = () => model.predict(x) as tf.Tensor;

if (native) {
  const check = tf.tidy(() => tf.max(tf.abs(tf.sub(productRun(), predictRun()))).dataSync()[0]);
  console.log(`native forward: max abs difference from model.predict ${fmt(check)}`);
}

for (let i = 0; i < WARMUP; i++)
  console.log(`warm-up batch ${i + 1}: ${fmt((await timeOnce(productRun)).wall)} s`);
const before = fallbackSnapshot(backend);
const cpu0 = process.cpuUsage();
const times: number[] = [];
/** CPU seconds of each timed product-path batch: steadier than wall time on a shared machine. */
const cpuTimes: number[] = [];
for (let i = 0; i < STEPS; i++) {
  const t = await timeOnce(productRun);
  times.push(t.wall);
  cpuTimes.push(t.cpu);
  console.log(`batch ${i + 1} (${strataPath}): ${fmt(t.wall)} s (${fmt(BATCH / t.wall)} images/s)`);
}
const cpu = process.cpuUsage(cpu0);
const wall = times.reduce((a, b) => a + b, 0);
console.log(
  `CPU time in the timed part: user ${fmt(cpu.user / 1e6)} s, system ${fmt(cpu.system / 1e6)} s ` +
    `(wall ${fmt(wall)} s)`,
);
const fallbacks = reportFallbacks(backend, before, STEPS, "the timed batches");
const kernels = await kernelsPerStep(async () => {
  const y = productRun();
  await y.data();
  y.dispose();
});
reportKernels(
  kernels,
  native
    ? "inference batch (native forward: one libtorch call, no TF.js kernels)"
    : "inference batch (tfjs-layers predict)",
);

// tfjs-layers' model.predict on the same batch, for reference (the product runs it only where the
// network has no native forward; then it is the headline's path too).
const predictTimes: number[] = [];
let predictKernels: KernelCount | null = null;
if (native) {
  for (let i = 0; i < WARMUP; i++) await timeOnce(predictRun);
  for (let i = 0; i < STEPS; i++) predictTimes.push((await timeOnce(predictRun)).wall);
  console.log(`tfjs-layers model.predict (reference): ${predictTimes.map((t) => fmt(t)).join(", ")} s`);
  predictKernels = await kernelsPerStep(async () => {
    const y = predictRun();
    await y.data();
    y.dispose();
  });
  reportKernels(predictKernels, "inference batch (tfjs-layers model.predict, reference)");
}
const peakRss = peakRssMiB();
console.log(`peak RSS of the Node process so far: ${fmt(peakRss)} MiB`);

const onnxPath = join(
  tmpdir(),
  `strata-bench-mobilenet_v2-${ALPHA}-${SIZE}-${CLASSES}-b${BATCH}-${process.pid}.onnx`,
);
const peer = runPeer("mobilenet.py", {
  mode: "infer",
  batch: BATCH,
  size: SIZE,
  alpha: ALPHA,
  classes: CLASSES,
  warmup: WARMUP,
  steps: STEPS,
  ...(ORT ? { onnx: onnxPath } : {}),
});

/** ONNX Runtime (Node binding) on the peer's export; null when unavailable or skipped. */
/** The part of onnxruntime-node's API this benchmark uses. */
interface OrtModule {
  InferenceSession: {
    create(
      path: string,
      options: {
        intraOpNumThreads: number;
        interOpNumThreads: number;
        executionMode: string;
        graphOptimizationLevel: string;
      },
    ): Promise<{
      inputNames: readonly string[];
      run(feeds: Record<string, unknown>): Promise<unknown>;
      release(): Promise<void>;
    }>;
  };
  Tensor: new (type: "float32", data: Float32Array, dims: number[]) => unknown;
}

async function timeOrt(): Promise<{ stepS: number; bestS: number } | null> {
  if (!ORT) {
    console.log("ONNX Runtime skipped (BENCH_ORT=0)");
    return null;
  }
  if (!existsSync(onnxPath)) {
    console.log("ONNX Runtime skipped: the peer exported no ONNX model");
    return null;
  }
  let ort: OrtModule;
  try {
    // Not a dependency (its install script downloads files unless ONNXRUNTIME_NODE_INSTALL=skip):
    // install it for this benchmark with `ONNXRUNTIME_NODE_INSTALL=skip npm install --no-save onnxruntime-node`.
    const name = "onnxruntime-node";
    const dir = process.env.BENCH_ORT_DIR;
    const where = dir ? pathToFileURL(createRequire(join(dir, "package.json")).resolve(name)).href : name;
    ort = (await import(where)) as OrtModule;
  } catch (e) {
    console.log(`ONNX Runtime skipped: onnxruntime-node does not load (${(e as Error).message})`);
    return null;
  }
  const session = await ort.InferenceSession.create(onnxPath, {
    intraOpNumThreads: ORT_THREADS,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  // The same pixels, NHWC -> NCHW.
  const nchw = new Float32Array(pixels.length);
  const hw = SIZE * SIZE;
  for (let b = 0; b < BATCH; b++)
    for (let p = 0; p < hw; p++)
      for (let c = 0; c < 3; c++) nchw[(b * 3 + c) * hw + p] = pixels[(b * hw + p) * 3 + c];
  const input = new ort.Tensor("float32", nchw, [BATCH, 3, SIZE, SIZE]);
  const feeds = { [session.inputNames[0]]: input };
  for (let i = 0; i < WARMUP; i++) await session.run(feeds);
  const ts: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = now();
    await session.run(feeds);
    ts.push(now() - t0);
    console.log(`ORT batch ${i + 1}: ${fmt(ts[i])} s (${fmt(BATCH / ts[i])} images/s)`);
  }
  await session.release();
  return { stepS: median(ts), bestS: min(ts) };
}
const ortResult = await timeOrt()
  .catch((e: unknown) => {
    console.log(`ONNX Runtime failed: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  })
  .finally(() => rmSync(onnxPath, { force: true }));

const stepS = median(times);
const torchStep = num(peer, "step_s");
const torchSetup = peer && typeof peer.setup === "string" ? peer.setup : null;
if (torchSetup) console.log(`PyTorch set-up (fastest in its start-up trial): ${torchSetup}`);
const headline = measure(
  `MobileNetV2 inference batch ${BATCH} ${SIZE}x${SIZE}, ${strataPath} (median)`,
  "s/batch",
  stepS,
  torchStep,
);
headline.kernelsPerStep = kernels.kernels;
const throughput = measure(
  `MobileNetV2 inference throughput, ${strataPath}`,
  "images/s",
  BATCH / stepS,
  torchStep === null ? null : BATCH / torchStep,
  "rate",
);
const reference = predictTimes.length
  ? measure(
      `MobileNetV2 inference batch ${BATCH} ${SIZE}x${SIZE} (tfjs-layers model.predict, for reference)`,
      "s/batch",
      median(predictTimes),
      torchStep,
    )
  : null;
if (reference && predictKernels) reference.kernelsPerStep = predictKernels.kernels;
if (!reference)
  console.log("no model.predict reference row: the product path is tfjs-layers' predict itself");
const measurements: Measurement[] = [
  headline,
  throughput,
  ...(reference ? [reference] : []),
  measure("peak RSS (whole process)", "MiB", peakRss, num(peer, "peak_rss_mib"), "memory"),
];
/** The product path's time over ORT's (>1: strata is slower); null without ORT. */
const ortRatio = ortResult ? stepS / ortResult.stepS : null;
if (ortResult) {
  for (const m of [headline, ...(reference ? [reference] : [])])
    Object.assign(m, { ort: ortResult.stepS, ortThreads: ORT_THREADS });
  Object.assign(throughput, { ort: BATCH / ortResult.stepS, ortThreads: ORT_THREADS });
  console.log(
    `ONNX Runtime (${ORT_THREADS} intra-op thread${ORT_THREADS > 1 ? "s" : ""}): ${fmt(ortResult.stepS)} s/batch, ` +
      `${fmt(BATCH / ortResult.stepS)} images/s | ratio strata (${strataPath})/ORT (time) ${fmt(stepS / ortResult.stepS, 3)}x` +
      (reference
        ? ` (model.predict/ORT, for reference: ${fmt(median(predictTimes) / ortResult.stepS, 3)}x)`
        : ""),
  );
}

const strataCpuS = median(cpuTimes);
const torchCpuS = num(peer, "cpu_s");
console.log(
  `CPU time per batch (${strataPath}): ${fmt(strataCpuS)} s | PyTorch ${fmt(torchCpuS)} s | ratio ` +
    `${torchCpuS ? fmt(strataCpuS / torchCpuS, 3) : "n/a"}x`,
);

emit({
  bench: "mobilenet_infer",
  threads: THREADS,
  config: {
    batch: BATCH,
    size: SIZE,
    alpha: ALPHA,
    classes: CLASSES,
    warmup: WARMUP,
    steps: STEPS,
    ortThreads: ORT_THREADS,
  },
  params: model.countParams(),
  /** What the headline rows timed: predictTensor's path ("native forward" or "tfjs-layers predict"). */
  strataPath,
  strataPathReason: notNativeReason,
  measurements,
  /** The product path's batch times (the headline's). */
  strataTimes: times,
  predictTimes,
  ort: ortResult,
  ortRatio,
  fallbacks,
  kernelsPerStep: kernels.kernels,
  kernelProfile: kernels,
  predictKernelProfile: predictKernels,
  cpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6, wall },
  strataCpuS,
  nativeCpuS: native ? strataCpuS : null,
  peer,
});
