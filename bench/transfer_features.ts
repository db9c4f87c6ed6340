/**
 * Transfer-learning feature extraction speed (images/s): the shipped darknet-tiny zoo model
 * (`loadZooModel("darknet-tiny", { inputSize })`) cut at its default cut `leaky_re_lu_14`
 * (`cutModel`) plus a GlobalAveragePooling2D, what strata's transfer learning computes once per
 * image, on the path the product runs (`predictTensor` from src/train/forward.ts, as
 * models/transfer/features.ts calls it: the native compiled forward where the network has one,
 * else tfjs-layers' predict; the output says which) on the torch backend, against PyTorch eager running the same network
 * with the same weights (bench/peers/darknet_features.py: torch.nn Conv2d / BatchNorm2d in eval /
 * LeakyReLU / MaxPool2d, NCHW, under torch.no_grad()).
 *
 * The benchmark writes every weight of the cut network (raw float32 in TF.js's layout) with a JSON
 * manifest, a random input batch per size (uniform 0..1, the scale the model was trained on) and
 * strata's features for it into a temporary folder; the peer, one long-lived process, rebuilds
 * the network from the manifest (kernels HWIO -> OIHW), checks that its features equal strata's
 * (max abs diff < BENCH_TF_TOL, else the benchmark fails), then answers timing requests on stdin.
 * The two sides take turns configuration by configuration (size × batch: strata, then each
 * PyTorch variant; the order reversed every other round), BENCH_TF_ROUNDS times, so that other
 * jobs on a shared machine weigh on both alike; a turn runs warm-up batches (at batch 32 in the
 * first round only), then timed ones. A figure is the median of the rounds' medians; the
 * per-round ratios show the spread. Sizes 128 (what strata picks for small images) and 224
 * (native), batch 32 and 1.
 *
 * PyTorch variants (BENCH_TF_VARIANTS): `nchw`, PyTorch's default layout; `channels_last` (NHWC in memory, as strata's tensors are: the same oneDNN
 * paths); `folded` (channels_last, each batch norm folded into its convolution's weights and bias,
 * as an inference engine would). The headline figure per configuration is against the fastest
 * variant there (PyTorch at its best, named in the figure); each variant's figure follows.
 *
 * Env: TBT_NUM_THREADS (libtorch and PyTorch intra-op threads), BENCH_TF_SIZES ("128,224"),
 * BENCH_TF_BATCH (32), BENCH_TF_BATCH1 (1: also batch 1; 0 skips), BENCH_TF_ROUNDS (3),
 * BENCH_TF_WARMUP (1: batches per size in the first round; at least 2 every turn at batch 1),
 * BENCH_TF_STEPS (3 timed batches per turn), BENCH_TF_STEPS1 (8 timed batch-1 runs per turn),
 * BENCH_TF_TOL (1e-3), BENCH_TF_VARIANTS ("nchw,channels_last,folded"), BENCH_TF_PROFILE (1:
 * also profile one peer batch per size and variant), BENCH_TF_KEEP (0; 1 keeps the exported
 * folder), BENCH_PEERS=0.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { cutModel, loadZooModel } from "strata-ml/transfer";
import { nativeForward, predictTensor } from "../packages/strata/src/train/forward.js";
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
  now,
  num,
  PYTHON,
  peakRssMiB,
  Rng,
  reportFallbacks,
  reportKernels,
  THREADS,
  useTorch,
} from "./common.js";

const SIZES = (process.env.BENCH_TF_SIZES ?? "128,224").split(",").map((s) => {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 16) throw new Error(`BENCH_TF_SIZES: bad size ${JSON.stringify(s)}`);
  return n;
});
const BATCH = envInt("BENCH_TF_BATCH", 32);
const BATCH1 = envInt("BENCH_TF_BATCH1", 1) !== 0;
const ROUNDS = envInt("BENCH_TF_ROUNDS", 3);
const WARMUP = envInt("BENCH_TF_WARMUP", 1);
const STEPS = envInt("BENCH_TF_STEPS", 3);
const STEPS1 = envInt("BENCH_TF_STEPS1", 8);
const TOL = envFloat("BENCH_TF_TOL", 1e-3);
const PROFILE_PEER = envFlag("BENCH_TF_PROFILE");
/** The peer's variants (see bench/peers/darknet_features.py); the headline ratio is against the fastest. */
const VARIANTS = (process.env.BENCH_TF_VARIANTS ?? "nchw,channels_last,folded").split(",").filter((v) => v);
const VARIANT_LABEL: Record<string, string> = {
  nchw: "PyTorch NCHW",
  channels_last: "PyTorch channels_last",
  folded: "PyTorch channels_last, BN folded into conv",
};
const ZOO = "darknet-tiny";

const backend = await useTorch();
console.log(
  `${ZOO} features (cut + global average pooling): sizes ${SIZES.join(", ")}, batch ${BATCH}` +
    `${BATCH1 ? " and 1" : ""}, threads ${THREADS}, ${ROUNDS} rounds of ${STEPS} timed batches (${STEPS1} at batch 1)`,
);

const dir = mkdtempSync(join(tmpdir(), "strata-bench-darknet-"));
if (!envFlag("BENCH_TF_KEEP", false)) process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

function writeF32(name: string, data: Float32Array): string {
  writeFileSync(join(dir, name), new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return name;
}

/** One layer of the cut network as the peer rebuilds it. */
interface LayerSpec {
  name: string;
  kind: "conv2d" | "batchnorm" | "leakyrelu" | "maxpool" | "globalavgpool";
  config: Record<string, unknown>;
  /** Weight name (kernel, bias, gamma, beta, moving_mean, moving_variance) -> file and shape. */
  weights: Record<string, { file: string; shape: number[] }>;
}

/** The cut network's layers in order, each weight written as raw float32 into `dir`. */
function exportLayers(cut: tfl.LayersModel): LayerSpec[] {
  const specs: LayerSpec[] = [];
  let previous: string | null = null;
  for (const layer of cut.layers) {
    const cls = layer.getClassName();
    if (cls === "InputLayer") {
      previous = layer.name;
      continue;
    }
    // A chain: each layer's one input is the layer before it (the peer is an nn.Sequential).
    const inbound = layer.inboundNodes.flatMap((n) => n.inboundLayers.map((l) => l.name));
    if (inbound.length !== 1 || inbound[0] !== previous) {
      throw new Error(
        `${layer.name}: inputs ${JSON.stringify(inbound)}, expected [${previous}]: not a chain`,
      );
    }
    previous = layer.name;
    const cfg = layer.getConfig();
    const kind = (
      {
        Conv2D: "conv2d",
        BatchNormalization: "batchnorm",
        LeakyReLU: "leakyrelu",
        MaxPooling2D: "maxpool",
        GlobalAveragePooling2D: "globalavgpool",
      } as const
    )[cls];
    if (!kind) throw new Error(`${layer.name}: layer class ${cls} is not handled by the peer`);
    const config: Record<string, unknown> =
      kind === "conv2d"
        ? {
            filters: cfg.filters,
            kernelSize: cfg.kernelSize,
            strides: cfg.strides,
            padding: cfg.padding,
            dilationRate: cfg.dilationRate,
            useBias: cfg.useBias,
            activation: cfg.activation,
          }
        : kind === "batchnorm"
          ? { epsilon: cfg.epsilon, axis: cfg.axis, center: cfg.center, scale: cfg.scale }
          : kind === "leakyrelu"
            ? { alpha: cfg.alpha }
            : kind === "maxpool"
              ? { poolSize: cfg.poolSize, strides: cfg.strides, padding: cfg.padding }
              : { dataFormat: cfg.dataFormat };
    const weights: LayerSpec["weights"] = {};
    const values = layer.getWeights();
    layer.weights.forEach((w, i) => {
      const key = w.originalName.split("/").pop() ?? w.originalName;
      weights[key] = {
        file: writeF32(`${layer.name}.${key}.f32`, values[i].dataSync() as Float32Array),
        shape: values[i].shape,
      };
    });
    specs.push({ name: layer.name, kind, config, weights });
  }
  return specs;
}

/** strata's feature extractor at one size: the zoo model cut at its default cut, then GAP. */
async function featureModel(size: number): Promise<{ model: tfl.LayersModel; cutLayer: string }> {
  const { model, info } = await loadZooModel(ZOO, { inputSize: size });
  const cut = cutModel(model, info);
  const pooled = tfl.layers
    .globalAveragePooling2d({ name: "pool" })
    .apply(cut.outputs[0]) as tfl.SymbolicTensor;
  return {
    model: tfl.model({ inputs: cut.inputs, outputs: pooled, name: `${ZOO}_features_${size}` }),
    cutLayer: info.cut?.layer ?? "?",
  };
}

interface SizeSetup {
  size: number;
  model: tfl.LayersModel;
  x: tf.Tensor4D;
  x1: tf.Tensor4D;
  channels: number;
}

const setups: SizeSetup[] = [];
let layers: LayerSpec[] = [];
let cutLayer = "";
let strataPath = "";
const inputs: { size: number; batch: number; input: string; features: string; channels: number }[] = [];
for (const [i, size] of SIZES.entries()) {
  const t0 = now();
  const { model, cutLayer: c } = await featureModel(size);
  cutLayer = c;
  console.log(
    `${size}x${size}: loaded and cut at ${c} in ${fmt(now() - t0)} s; ${model.layers.length} layers, ` +
      `${model.countParams()} parameters, output ${JSON.stringify(model.outputs[0].shape)}`,
  );
  if (i === 0) layers = exportLayers(model);
  // The product's path for this network (predictTensor picks it): said, so a figure names what it timed.
  strataPath = nativeForward(model) !== undefined ? "native forward" : "tfjs-layers";
  console.log(`  strata's path (predictTensor, as the product runs it): ${strataPath}`);
  const rng = new Rng(size);
  const pixels = new Float32Array(BATCH * size * size * 3);
  for (let j = 0; j < pixels.length; j++) pixels[j] = rng.uniform();
  const x = tf.tensor4d(pixels, [BATCH, size, size, 3]);
  const x1 = tf.slice(x, [0, 0, 0, 0], [1, size, size, 3]) as tf.Tensor4D;
  const y = predictTensor(model, x);
  const features = (await y.data()) as Float32Array;
  const channels = y.shape[1] ?? 0;
  y.dispose();
  let sum = 0;
  for (const v of features) sum += v;
  console.log(`  strata features [${BATCH}, ${channels}]: sum ${fmt(sum, 8)}, first ${fmt(features[0], 6)}`);
  inputs.push({
    size,
    batch: BATCH,
    input: writeF32(`input-${size}.f32`, pixels),
    features: writeF32(`features-${size}.f32`, features),
    channels,
  });
  setups.push({ size, model, x, x1, channels });
}
writeFileSync(
  join(dir, "manifest.json"),
  JSON.stringify({ model: ZOO, cut: cutLayer, layers, inputs }, null, 1),
);
console.log(
  `exported ${layers.length} layers (${layers.filter((l) => l.kind === "conv2d").length} conv) to ${dir} for the peer`,
);

async function predictOnce(model: tfl.LayersModel, x: tf.Tensor): Promise<number> {
  const t0 = now();
  const y = predictTensor(model, x);
  await y.data();
  const dt = now() - t0;
  y.dispose();
  return dt;
}

/**
 * The PyTorch peer as a long-lived child process answering one JSON request a line, so that
 * both sides can take turns configuration by configuration (a fresh process per measurement
 * would pay Python's and torch's start-up each time, and whole-process turns leave minutes between
 * the two sides' figures on a machine whose load changes).
 */
class PeerServer {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly queue: string[] = [];
  private readonly waiters: ((line: string | null) => void)[] = [];
  private exited = false;

  constructor(args: Record<string, string | number>) {
    const path = fileURLToPath(new URL("./peers/darknet_features.py", import.meta.url));
    const argv = [path, "--threads", String(THREADS)];
    for (const [k, v] of Object.entries(args)) argv.push(`--${k}`, String(v));
    console.log(
      `starting PyTorch peer: ${PYTHON} ${argv.map((a) => a.replace(/^.*\/bench\//, "bench/")).join(" ")}`,
    );
    this.child = spawn(PYTHON, argv, {
      env: {
        ...process.env,
        PYTHONUNBUFFERED: "1",
        OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? String(THREADS),
        OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? String(THREADS),
      },
    });
    this.child.stderr.on("data", (d: Buffer) => process.stdout.write(d));
    createInterface({ input: this.child.stdout }).on("line", (line) => {
      const w = this.waiters.shift();
      if (w) w(line);
      else this.queue.push(line);
    });
    this.child.on("exit", () => {
      this.exited = true;
      for (const w of this.waiters.splice(0)) w(null);
    });
  }

  /** The next JSON line from the peer (its first is the feature check). */
  async next(): Promise<Record<string, unknown>> {
    const queued = this.queue.shift();
    const line =
      queued ?? (this.exited ? null : await new Promise<string | null>((r) => this.waiters.push(r)));
    if (line === null) throw new Error(`the PyTorch peer exited (status ${this.child.exitCode})`);
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== "object" || parsed === null) throw new Error(`peer: not a JSON object: ${line}`);
    const obj = parsed as Record<string, unknown>;
    if (typeof obj.error === "string") throw new Error(`PyTorch peer: ${obj.error}`);
    return obj;
  }

  async request(req: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.child.stdin.write(`${JSON.stringify(req)}\n`);
    return this.next();
  }
}

let peer: PeerServer | null = null;
let peerReady: Record<string, unknown> | null = null;
if (envFlag("BENCH_PEERS")) {
  peer = new PeerServer({ dir, variants: VARIANTS.join(","), tol: TOL });
  peerReady = await peer.next();
} else {
  console.log("PyTorch peer skipped (BENCH_PEERS=0)");
}
const maxDiff = num(peerReady, "max_abs_diff");
if (peer && maxDiff === null) throw new Error("the PyTorch peer reported no feature check");

/** Per configuration (variant, size, batch): each round's median seconds per batch. */
const rounds = new Map<string, number[]>();
const push = (k: string, v: number) => rounds.set(k, [...(rounds.get(k) ?? []), v]);
const key = (side: string, size: number, batch: number) => `${side}/${size}/b${batch}`;
const sides = ["strata", ...(peer ? VARIANTS : [])];

const before = fallbackSnapshot(backend);
let timedBatches = 0;
let strataWall = 0;
const cpu0 = process.cpuUsage();
const t0 = now();
for (let r = 0; r < ROUNDS; r++) {
  console.log(`\n--- round ${r + 1}/${ROUNDS} ---`);
  // Alternate which side goes first, so that a trend in the machine's load favours neither.
  const order = r % 2 === 0 ? sides : [...sides].reverse();
  for (const s of setups) {
    for (const [x, batch, steps] of BATCH1
      ? [[s.x, BATCH, STEPS] as const, [s.x1, 1, STEPS1] as const]
      : [[s.x, BATCH, STEPS] as const]) {
      // Batches of 32 warm up in the first round only (oneDNN's primitives, the allocator's
      // pools): a later turn's first batch is as fast as its others. Batch 1 warms up every turn.
      const warmup = batch === 1 ? Math.max(WARMUP, 2) : r === 0 ? WARMUP : 0;
      const line: string[] = [];
      for (const side of order) {
        let ts: number[];
        if (side === "strata") {
          for (let i = 0; i < warmup; i++) await predictOnce(s.model, x);
          ts = [];
          for (let i = 0; i < steps; i++) ts.push(await predictOnce(s.model, x));
          timedBatches += steps;
          strataWall += ts.reduce((a, b) => a + b, 0);
        } else {
          const res = await (peer as PeerServer).request({
            cmd: "time",
            variant: side,
            size: s.size,
            batch,
            warmup,
            steps,
          });
          ts = Array.isArray(res.times_s) ? (res.times_s as number[]) : [];
        }
        const m = median(ts);
        push(key(side, s.size, batch), m);
        line.push(`${side} ${fmt(batch / m)} img/s (${ts.map((t) => fmt(t, 3)).join(" ")} s)`);
      }
      console.log(`${s.size}x${s.size} batch ${batch}: ${line.join(" | ")}`);
    }
  }
}
const cpu = process.cpuUsage(cpu0);
console.log(
  `\ntimed rounds took ${fmt(now() - t0)} s; strata's timed batches: ${timedBatches}, wall ${fmt(strataWall)} s; ` +
    `the Node process's CPU in the rounds (the peer's not included): user ${fmt(cpu.user / 1e6)} s, ` +
    `system ${fmt(cpu.system / 1e6)} s`,
);
const fallbacks = reportFallbacks(backend, before, timedBatches, "strata's timed batches");

const profiles: Record<string, KernelCount> = {};
const peerProfiles: Record<string, unknown> = {};
for (const s of setups) {
  for (const [x, batch] of BATCH1 ? [[s.x, BATCH] as const, [s.x1, 1] as const] : [[s.x, BATCH] as const]) {
    const k = await kernelsPerStep(async () => {
      const y = predictTensor(s.model, x);
      await y.data();
      y.dispose();
    });
    reportKernels(k, `${s.size}x${s.size} batch ${batch}`);
    profiles[key("strata", s.size, batch)] = k;
  }
  if (peer && PROFILE_PEER) {
    for (const v of VARIANTS.filter((v) => v !== "folded")) {
      const res = await peer.request({ cmd: "profile", variant: v, size: s.size });
      peerProfiles[key(v, s.size, BATCH)] = res.profile;
    }
  }
}
const peerFinal = peer ? await peer.request({ cmd: "quit" }) : null;

console.log(
  maxDiff === null
    ? "\nfeatures: not compared (no peer)"
    : `\nfeatures: PyTorch's (every variant) equal strata's, max abs diff ${maxDiff.toExponential(2)} (tolerance ${TOL})`,
);
const measurements: Measurement[] = [];
const perRound: Record<string, { strata: number[]; pytorch: number[]; ratios: number[] }> = {};
for (const s of setups) {
  for (const batch of BATCH1 ? [BATCH, 1] : [BATCH]) {
    const st = rounds.get(key("strata", s.size, batch)) ?? [];
    const sMed = median(st);
    const base = `${ZOO} features to ${cutLayer} + GAP, ${s.size}x${s.size}, batch ${batch} (${strataPath})`;
    // The headline: against the peer's fastest variant for this configuration (issue 22: every
    // peer at its best); each variant's own figure follows.
    const peerMed = VARIANTS.map((v) => median(rounds.get(key(v, s.size, batch)) ?? []));
    const bestI = peerMed.reduce((b, m, i) => (Number.isFinite(m) && !(m >= peerMed[b]) ? i : b), 0);
    if (peer && VARIANTS.length > 1 && Number.isFinite(peerMed[bestI])) {
      const label = VARIANT_LABEL[VARIANTS[bestI]] ?? `PyTorch ${VARIANTS[bestI]}`;
      const m = measure(
        `${base} (against PyTorch at its best: ${label})`,
        "images/s",
        batch / sMed,
        batch / peerMed[bestI],
        "rate",
      );
      measurements.push({ ...m, kernelsPerStep: profiles[key("strata", s.size, batch)]?.kernels });
    }
    for (const v of peer ? VARIANTS : ["nchw"]) {
      const pt = rounds.get(key(v, s.size, batch)) ?? [];
      const ratios = st.slice(0, pt.length).map((t, i) => t / pt[i]);
      perRound[key(v, s.size, batch)] = { strata: st, pytorch: pt, ratios };
      const label = VARIANT_LABEL[v] ?? `PyTorch ${v}`;
      const m = measure(
        peer && VARIANTS.length > 1 ? `${base} (against ${label})` : base,
        "images/s",
        batch / sMed,
        pt.length ? batch / median(pt) : null,
        "rate",
      );
      if (ratios.length)
        console.log(
          `  per-round ratios strata/${label} (time): ${ratios.map((t) => `${fmt(t, 3)}x`).join(" ")}`,
        );
      measurements.push({ ...m, kernelsPerStep: profiles[key("strata", s.size, batch)]?.kernels });
    }
  }
}
const peakRss = peakRssMiB();
console.log(`peak RSS: strata ${fmt(peakRss)} MiB, PyTorch peer ${fmt(num(peerFinal, "peak_rss_mib"))} MiB`);

emit({
  bench: "transfer_features",
  threads: THREADS,
  config: {
    model: ZOO,
    cut: cutLayer,
    sizes: SIZES,
    batch: BATCH,
    batch1: BATCH1,
    rounds: ROUNDS,
    warmup: WARMUP,
    steps: STEPS,
    steps1: STEPS1,
    variants: VARIANTS,
    strataPath,
  },
  measurements,
  perRound,
  maxAbsDiff: maxDiff,
  fallbacks,
  kernelsPerStep: profiles[key("strata", SIZES[0], BATCH)]?.kernels,
  kernelProfile: profiles,
  peerProfile: peerProfiles,
  peakRssMiB: peakRss,
  cpuSeconds: { user: cpu.user / 1e6, system: cpu.system / 1e6, wall: strataWall },
  peer: peerFinal ? { ...peerFinal, checks: peerReady?.checks } : null,
});
