/**
 * Shared helpers for the speed benchmarks: environment parameters, timing, seeded data, the
 * torch backend's fallback counters, running the PyTorch peer scripts, and the JSON summary line.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { defaultThreads, fusedAdam, TorchBackend } from "strata-ml-torch";
import { useFusedBatchNorm, useLayersBatchNorm } from "strata-ml-torch/layers";

/** The interpreter for the PyTorch peers: Debian's python3 (PyTorch 1.13), not a pyenv one. */
export const PYTHON = process.env.BENCH_PYTHON ?? "/usr/bin/python3";

/** An integer parameter from the environment, or its default. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

/** A numeric parameter from the environment, or its default. */
export function envFloat(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number, got ${JSON.stringify(raw)}`);
  return n;
}

/** False when the environment variable is set to 0 / false / no. */
export function envFlag(name: string, fallback = true): boolean {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  return !["0", "false", "no", "off"].includes(raw.toLowerCase());
}

/** libtorch's intra-op thread count for this run (TBT_NUM_THREADS, else every core). */
export const THREADS = defaultThreads();

/** Which Adam the benchmarks train with: "fused" (tfjs-backend-torch's fusedAdam, what strata uses) or "tfjs". */
export type AdamKind = "fused" | "tfjs";

/** BENCH_ADAM=tfjs selects tf.train.adam; the default is the backend's fused Adam. */
export function adamKind(): AdamKind {
  const raw = (process.env.BENCH_ADAM ?? "fused").toLowerCase();
  if (raw !== "fused" && raw !== "tfjs") throw new Error(`BENCH_ADAM must be fused or tfjs, got ${raw}`);
  return raw;
}

/** An Adam optimizer of the given kind. */
export function adam(kind: AdamKind, learningRate = 1e-3): tf.Optimizer {
  return kind === "fused" ? fusedAdam(learningRate) : tf.train.adam(learningRate);
}

/**
 * Debian's libtorch does its matmuls in OpenBLAS (pthreads build), whose thread pool follows these
 * variables, read once when the library loads; at::set_num_threads does not reach it. bench/run.sh
 * sets them to the thread count for both Node and the peers.
 */
export const BLAS_THREAD_VARS = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"] as const;

/**
 * BENCH_BN: "fused" (default, as strata trains: tfjs-backend-torch/layers' useFusedBatchNorm) or
 * "layers" (tfjs-layers' own op-by-op batch-norm training).
 */
export function batchNormKind(): "fused" | "layers" {
  const v = process.env.BENCH_BN ?? "fused";
  if (v !== "fused" && v !== "layers") throw new Error(`BENCH_BN must be fused or layers, got ${v}`);
  return v;
}

/** Switches TF.js to the torch backend (with strata's batch-norm training, see batchNormKind) and returns it. */
export async function useTorch(): Promise<TorchBackend> {
  if (batchNormKind() === "fused") useFusedBatchNorm();
  else useLayersBatchNorm();
  const ok = await tf.setBackend("torch");
  if (!ok || tf.getBackend() !== "torch") throw new Error("the torch backend did not initialise");
  const backend = tf.engine().backend;
  if (!(backend instanceof TorchBackend)) throw new Error("the active backend is not a TorchBackend");
  const addon = backend.addon;
  const info = addon.buildInfo();
  const env = (k: string) => `${k}=${process.env[k] ?? "unset"}`;
  console.log(
    `backend torch: libtorch ${info.torchVersion}, intra-op threads ${addon.getThreads()}, batch norm ${batchNormKind()} ` +
      `(${env("TBT_NUM_THREADS")}, ${env("OMP_NUM_THREADS")}, ${env("OPENBLAS_NUM_THREADS")})`,
  );
  console.log(
    `heap: ${env("MALLOC_MMAP_THRESHOLD_")}, ${env("MALLOC_TRIM_THRESHOLD_")} (strata and peers alike)`,
  );
  if (!process.env.MALLOC_MMAP_THRESHOLD_ && !process.env.TBT_DEFAULT_MALLOC) {
    console.log(
      "warning: MALLOC_MMAP_THRESHOLD_ is unset: strata's addon raises glibc's heap thresholds with mallopt " +
        "(native/addon.cc) but the peers would run on glibc's defaults; bench/run.sh sets both sides alike",
    );
  }
  for (const k of BLAS_THREAD_VARS) {
    if (process.env[k] !== String(THREADS)) {
      console.log(
        `warning: ${k} is not ${THREADS}: OpenBLAS/OpenMP (libtorch's matmuls) may use another thread ` +
          "count than the PyTorch peer; bench/run.sh sets it",
      );
    }
  }
  return backend;
}

/** Seconds since an arbitrary origin. */
export function now(): number {
  return performance.now() / 1000;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function min(xs: readonly number[]): number {
  return xs.length ? Math.min(...xs) : Number.NaN;
}

/** Formats a number with a few significant digits. */
export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "n/a";
  return Number(x.toPrecision(digits)).toString();
}

/** A small seeded PRNG (mulberry32) so data do not depend on the backend. */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }
}

export function randomNormal(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal();
  return out;
}

/** Random one-hot labels, rows × classes. */
export function randomOneHot(rows: number, classes: number, rng: Rng): Float32Array {
  const out = new Float32Array(rows * classes);
  for (let i = 0; i < rows; i++) out[i * classes + rng.int(classes)] = 1;
  return out;
}

/** A copy of the backend's fallback counters. */
export function fallbackSnapshot(backend: TorchBackend): Map<string, number> {
  return new Map(backend.fallbackCounts);
}

/** Fallback calls since `before`, as a plain object (kernel name -> calls). */
export function fallbackSince(backend: TorchBackend, before: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, count] of backend.fallbackCounts) {
    const d = count - (before.get(name) ?? 0);
    if (d > 0) out[name] = d;
  }
  return out;
}

/** Prints the fallback calls of a timed part, per step too; returns them. */
export function reportFallbacks(
  backend: TorchBackend,
  before: Map<string, number>,
  steps: number,
  what: string,
): Record<string, number> {
  const since = fallbackSince(backend, before);
  const names = Object.keys(since).sort((a, b) => since[b] - since[a]);
  if (names.length === 0) {
    console.log(`fallbacks during ${what}: none (every kernel ran in libtorch)`);
  } else {
    const list = names.map((n) => `${n} ${since[n]} (${fmt(since[n] / steps, 3)}/step)`).join(", ");
    console.log(`fallbacks during ${what} (${steps} steps): ${list}`);
  }
  const all = [...backend.fallbackCounts].map(([n, c]) => `${n}=${c}`).join(" ");
  console.log(`fallbackCounts since start: ${all || "(empty)"}`);
  return since;
}

/**
 * Kernels dispatched by one call of `step`, counted with tf.profile, with each kernel's time
 * (libtorch kernels run synchronously, so that is the kernel's wall time including its TF.js
 * dispatch). Entries named `…__op` are op scopes (custom-gradient ops such as fused conv2d), not
 * kernels: they are counted apart.
 */
export async function kernelsPerStep(step: () => Promise<tf.TensorContainer>): Promise<KernelCount> {
  const t0 = now();
  const info = await tf.profile(step);
  const stepMs = 1000 * (now() - t0);
  const byName: Record<string, number> = {};
  const msByName: Record<string, number> = {};
  let scopes = 0;
  let kernelMs = 0;
  for (const k of info.kernels) {
    if (k.name.endsWith("__op")) {
      scopes++;
      continue;
    }
    byName[k.name] = (byName[k.name] ?? 0) + 1;
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    msByName[k.name] = (msByName[k.name] ?? 0) + ms;
    kernelMs += ms;
  }
  return { kernels: info.kernels.length - scopes, scopes, byName, msByName, kernelMs, stepMs };
}

export interface KernelCount {
  /** Kernel invocations in the step. */
  kernels: number;
  /** Op scopes tf.profile lists besides kernels (not counted in `kernels`). */
  scopes: number;
  byName: Record<string, number>;
  /** Milliseconds per kernel name in the profiled step. */
  msByName: Record<string, number>;
  /** Sum of the kernels' times. */
  kernelMs: number;
  /** Wall time of the profiled step (slower than an unprofiled one). */
  stepMs: number;
}

/** Prints the kernel count of one step, the most frequent kernels and where the time went. */
export function reportKernels(k: KernelCount, what: string): void {
  const top = (rec: Record<string, number>, show: (n: number) => string) =>
    Object.entries(rec)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([n, c]) => `${n} ${show(c)}`)
      .join(", ") + (Object.keys(rec).length > 12 ? ", …" : "");
  const scopes = k.scopes ? `; plus ${k.scopes} op scopes` : "";
  console.log(`kernels per ${what}: ${k.kernels} (${top(k.byName, String)}${scopes})`);
  console.log(
    `  time in kernels (profiled step): ${fmt(k.kernelMs)} ms of ${fmt(k.stepMs)} ms; by kernel: ` +
      top(k.msByName, (ms) => `${fmt(ms, 3)} ms`),
  );
}

/** A peer's JSON result. */
export type PeerResult = Record<string, unknown>;

/** The result of a peer's field, which must be a number. */
export function num(r: PeerResult | null, key: string): number | null {
  if (r === null) return null;
  const v = r[key];
  return typeof v === "number" ? v : null;
}

/**
 * Runs a PyTorch peer script (bench/peers/NAME) with the given arguments and the same thread
 * count; echoes its lines with a prefix and returns its last line parsed as JSON, or null when
 * peers are disabled (BENCH_PEERS=0) or the script failed.
 */
export function runPeer(script: string, args: Record<string, string | number>): PeerResult | null {
  if (!envFlag("BENCH_PEERS")) {
    console.log("PyTorch peer skipped (BENCH_PEERS=0)");
    return null;
  }
  const path = fileURLToPath(new URL(`./peers/${script}`, import.meta.url));
  const argv = [path, "--threads", String(THREADS)];
  for (const [k, v] of Object.entries(args)) argv.push(`--${k}`, String(v));
  console.log(
    `running PyTorch peer: ${PYTHON} ${argv.map((a) => a.replace(/^.*\/bench\//, "bench/")).join(" ")}`,
  );
  const r = spawnSync(PYTHON, argv, {
    encoding: "utf8",
    env: {
      ...process.env,
      PYTHONUNBUFFERED: "1",
      OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? String(THREADS),
      OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? String(THREADS),
    },
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = (r.stdout ?? "").split("\n").filter((l) => l.trim() !== "");
  const last = lines.pop();
  for (const l of lines) console.log(`  [pytorch] ${l}`);
  if (r.status !== 0 || last === undefined) {
    if (last !== undefined) console.log(`  [pytorch] ${last}`);
    console.log(`PyTorch peer failed (exit ${r.status ?? r.signal})`);
    return null;
  }
  try {
    const parsed: unknown = JSON.parse(last);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    return parsed as PeerResult;
  } catch {
    console.log(`  [pytorch] ${last}`);
    console.log("PyTorch peer's last line is not a JSON object");
    return null;
  }
}

/** One row of a benchmark's summary: strata's figure, PyTorch's, and strata/PyTorch for time. */
export interface Measurement {
  name: string;
  unit: string;
  strata: number;
  pytorch: number | null;
  /** strata's time over PyTorch's (>1: strata is slower), or memory over memory; see MeasureKind. */
  ratio: number | null;
  /** ONNX Runtime's figure in the same unit, where measured. */
  ort?: number | null;
  /** ONNX Runtime's intra-op threads, where measured. */
  ortThreads?: number;
  /** Kernels per step behind this figure, where it differs from the benchmark's. */
  kernelsPerStep?: number;
}

/**
 * What a measurement's unit measures: a time (smaller is faster), a rate (larger is faster), or
 * memory. The ratio is strata's time over PyTorch's for both of the first two (>1: strata is
 * slower), and strata's memory over PyTorch's for the third.
 */
export type MeasureKind = "time" | "rate" | "memory";

/** Builds a measurement and prints its line. */
export function measure(
  name: string,
  unit: string,
  strata: number,
  pytorch: number | null,
  kind: MeasureKind = "time",
): Measurement {
  const ratio =
    pytorch === null || pytorch === 0 || strata === 0
      ? null
      : kind === "rate"
        ? pytorch / strata
        : strata / pytorch;
  console.log(
    `${name}: strata ${fmt(strata)} ${unit} | PyTorch ${fmt(pytorch)} ${unit} | ratio strata/PyTorch ` +
      `(${kind === "memory" ? "memory" : "time"}) ${ratio === null ? "n/a" : `${fmt(ratio, 3)}x`}`,
  );
  return { name, unit, strata, pytorch, ratio };
}

/** The Node process's peak resident memory so far, MiB (getrusage's ru_maxrss). */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Prints the benchmark's JSON summary as stdout's last line. */
export function emit(summary: Record<string, unknown>): void {
  console.log(JSON.stringify(summary));
}

/**
 * Epochs of strata's own training loop (packages/strata/src/train/loop.ts: the native training
 * step when the network compiles to it, else TF.js's), over x and y in shuffled batches, Adam 1e-3,
 * no validation: a warm-up epoch on the first `warmupRows` rows, then `repeats` timed epochs.
 * Returns their seconds and which step ran.
 */
export async function strataEpochs(
  model: import("@tensorflow/tfjs-layers").LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  batchSize: number,
  repeats: number,
  warmupRows: number,
): Promise<{ times: number[]; step: string }> {
  const { fitModel } = await import("../packages/strata/src/train/loop.js");
  const { tensorSource } = await import("../packages/strata/src/train/sources.js");
  const { nativeTrainingStats } = await import("strata-ml-torch/train");
  const config = { epochs: 1, learningRate: 1e-3, patience: 0 };
  const xw = tf.slice(x, 0, warmupRows);
  const yw = tf.slice(y, 0, warmupRows);
  await fitModel(model, tensorSource(xw, yw, { batchSize, seed: 0 }), undefined, config);
  tf.dispose([xw, yw]);
  const before = nativeTrainingStats().steps;
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = now();
    await fitModel(model, tensorSource(x, y, { batchSize, seed: r + 1 }), undefined, config);
    times.push(now() - t0);
  }
  const step = nativeTrainingStats().steps > before ? "native step" : "TF.js step";
  console.log(`strata fitModel (${step}): epochs ${times.map((t) => fmt(t)).join(", ")} s`);
  return { times, step };
}

/** The demo's columns on the Spotify songs file (package.json's "demo"): genre, artists grouped, tracks once. */
export const SPOTIFY_DEMO_COLUMNS = [
  "--target",
  "playlist_genre",
  "--group",
  "track_artist",
  "--drop-duplicates",
  "track_id",
] as const;

// Free loopback ports as strata's own launcher finds them (--nproc).
export { freePort } from "../packages/strata/src/parallel/distributed-launch.js";
