/**
 * MobileNetV2 inference speed (images/s): bench/models/mobilenet_v2.ts (tfjs-layers, random
 * weights, NHWC) on the torch backend with `model.predict`, against torchvision's mobilenet_v2
 * in eval mode under torch.no_grad() (bench/peers/mobilenet.py, in its fastest set-up, picked by a
 * short timed trial at start-up and printed: NCHW or channels_last, batch norm folded or not), and against ONNX Runtime
 * (onnxruntime-node, when installed) running the same torchvision model exported to ONNX by the
 * peer (written under /tmp, never into the repository).
 *
 * Env: TBT_NUM_THREADS (libtorch and PyTorch intra-op threads), BENCH_MNV2_BATCH (16),
 * BENCH_MNV2_SIZE (224), BENCH_MNV2_ALPHA (1.0), BENCH_MNV2_CLASSES (1000), BENCH_MNV2_WARMUP (2),
 * BENCH_MNV2_STEPS (5; the median batch is reported), BENCH_ORT_THREADS (ORT's intra-op threads:
 * 1 whatever TBT_NUM_THREADS is, unless set), BENCH_PEERS=0, BENCH_ORT=0 (skip ORT),
 * BENCH_ORT_DIR (a folder where onnxruntime-node is installed, when it is not in the repository's
 * node_modules: `cd DIR && ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node`).
 */
import { existsSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import {
  emit,
  envFlag,
  envFloat,
  envInt,
  fallbackSnapshot,
  fmt,
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
const ORT_THREADS = envInt("BENCH_ORT_THREADS", 1);

const backend = await useTorch();
console.log(
  `MobileNetV2 inference: alpha ${ALPHA}, ${SIZE}x${SIZE}, ${CLASSES} classes, batch ${BATCH}, threads ${THREADS}`,
);

const model = mobileNetV2({ size: SIZE, alpha: ALPHA, classes: CLASSES });
console.log(`parameters: ${model.countParams()} (Keras MobileNetV2 1.0/224: 3538984)`);
const pixels = randomNormal(BATCH * SIZE * SIZE * 3, new Rng(0));
const x = tf.tensor4d(pixels, [BATCH, SIZE, SIZE, 3]);

async function predictOnce(): Promise<number> {
  const t0 = now();
  const y = model.predict(x) as tf.Tensor;
  await y.data();
  const dt = now() - t0;
  y.dispose();
  return dt;
}

for (let i = 0; i < WARMUP; i++) console.log(`warm-up batch ${i + 1}: ${fmt(await predictOnce())} s`);
const before = fallbackSnapshot(backend);
const cpu0 = process.cpuUsage();
const times: number[] = [];
for (let i = 0; i < STEPS; i++) {
  times.push(await predictOnce());
  console.log(`batch ${i + 1}: ${fmt(times[i])} s (${fmt(BATCH / times[i])} images/s)`);
}
const cpu = process.cpuUsage(cpu0);
const wall = times.reduce((a, b) => a + b, 0);
console.log(
  `CPU time in the timed part: user ${fmt(cpu.user / 1e6)} s, system ${fmt(cpu.system / 1e6)} s ` +
    `(wall ${fmt(wall)} s)`,
);
const fallbacks = reportFallbacks(backend, before, STEPS, "the timed batches");
const kernels = await kernelsPerStep(async () => {
  const y = model.predict(x) as tf.Tensor;
  await y.data();
  y.dispose();
});
reportKernels(kernels, "inference batch (predict)");
const peakRss = peakRssMiB();
console.log(`peak RSS of the Node process so far: ${fmt(peakRss)} MiB`);

// The same network and weights through the native step's compiled forward (one libtorch call).
const { NativeNetwork } = await import("strata-ml-torch/train");
const net = NativeNetwork.compile(model);
const nativeTimes: number[] = [];
/** CPU seconds (user + system) of each timed native call: steadier than wall time on a shared machine. */
const nativeCpu: number[] = [];
if (typeof net === "string") console.log(`no native forward for MobileNetV2: ${net}`);
else {
  const check = tf.tidy(
    () => tf.max(tf.abs(tf.sub(net.predict(x), model.predict(x) as tf.Tensor))).dataSync()[0],
  );
  console.log(`native forward: max abs difference from model.predict ${fmt(check)}`);
  for (let i = 0; i < WARMUP + STEPS; i++) {
    const t0 = now();
    const c0 = process.cpuUsage();
    const y = net.predict(x);
    await y.data();
    const c = process.cpuUsage(c0);
    if (i >= WARMUP) {
      nativeTimes.push(now() - t0);
      nativeCpu.push((c.user + c.system) / 1e6);
    }
    y.dispose();
  }
  console.log(`native forward: ${nativeTimes.map((t) => fmt(t)).join(", ")} s`);
  net.dispose();
}

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
const measurements: Measurement[] = [
  ...(nativeTimes.length
    ? [
        measure(
          `MobileNetV2 native inference batch ${BATCH} ${SIZE}x${SIZE} (median)`,
          "s/batch",
          median(nativeTimes),
          torchStep,
        ),
      ]
    : []),
  measure(`MobileNetV2 inference batch ${BATCH} ${SIZE}x${SIZE} (median)`, "s/batch", stepS, torchStep),
  measure(
    "MobileNetV2 inference throughput",
    "images/s",
    BATCH / stepS,
    torchStep === null ? null : BATCH / torchStep,
    "rate",
  ),
  measure("peak RSS (whole process)", "MiB", peakRss, num(peer, "peak_rss_mib"), "memory"),
];
if (ortResult) {
  // The s/batch rows (native forward and model.predict) and the throughput row.
  for (const m of measurements.slice(0, -2))
    Object.assign(m, { ort: ortResult.stepS, ortThreads: ORT_THREADS });
  Object.assign(measurements[measurements.length - 2], {
    ort: BATCH / ortResult.stepS,
    ortThreads: ORT_THREADS,
  });
  console.log(
    `ONNX Runtime (${ORT_THREADS} intra-op thread${ORT_THREADS > 1 ? "s" : ""}): ${fmt(ortResult.stepS)} s/batch, ` +
      `${fmt(BATCH / ortResult.stepS)} images/s | ratio strata/ORT (time) ${fmt(stepS / ortResult.stepS, 3)}x` +
      (nativeTimes.length ? `, native forward/ORT ${fmt(median(nativeTimes) / ortResult.stepS, 3)}x` : ""),
  );
}

if (nativeCpu.length)
  console.log(
    `native CPU time per batch: ${fmt(median(nativeCpu))} s | PyTorch ${fmt(num(peer, "cpu_s"))} s | ratio ` +
      `${num(peer, "cpu_s") ? fmt(median(nativeCpu) / (num(peer, "cpu_s") as number), 3) : "n/a"}x`,
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
  measurements,
  strataTimes: times,
  ort: ortResult,
  fallbacks,
  kernelsPerStep: kernels.kernels,
  kernelProfile: kernels,
  cpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6, wall },
  nativeCpuS: nativeCpu.length ? median(nativeCpu) : null,
  peer,
});
