/**
 * Data-parallel training (issue 25) on this machine: `strata fit` as one process with 2 threads,
 * one process with 1 thread, and 2 ranks × 1 thread (`--nproc 2`, c10d + Gloo on 127.0.0.1; the
 * gradients' allreduce overlapped with the backward, then after it), on
 * the Spotify demo's dense network (the README's fit command, BENCH_DIST_SPOTIFY_EPOCHS epochs,
 * patience 0) and on the CIFAR-subset CNN (BENCH_DIST_CIFAR_EPOCHS epochs, decoding included:
 * each rank decodes only its shard). Reported: the fit's seconds (`fitSeconds` of rank 0's --json,
 * validation included), seconds per epoch, training steps per second, and the command's wall time
 * (process start-up and, for 2 ranks, the launch and rendezvous included).
 *
 * 2 ranks run twice: with the gradients' allreduce overlapped with the backward (the default) and
 * after it (TBT_DIST_OVERLAP=0). The allreduce's share, two ways:
 * - the native step's own timer (packages/tfjs-backend-torch/native/dist.cc, written by each rank
 *   to TBT_DIST_STATS when it leaves): per step, the time the step's thread spent on the
 *   reduction, and of that the wait after the backward (the communication not hidden), set
 *   against the native step's time and the fit's time per step (rank 0; for CIFAR's later epoch,
 *   the 2-epoch fit's totals less the 1-epoch fit's);
 * - at API level, two ranks started by this file (BENCH_DIST_ROLE=allreduce, 1 thread each) time
 *   `allreduceSum` on a buffer of the network's gradient bytes (parameters × 4 bytes, fp32, as the
 *   native step sends them; a Float64Array of half as many elements), median of BENCH_DIST_REPS
 *   calls after a warm-up, set against the 2-rank step's time.
 * "steps": two ranks started by this file (BENCH_DIST_ROLE=steps) time the native step of the CIFAR
 * CNN and of a Spotify-sized dense network in blocks, overlapped and not in the order ABBA…
 * (TBT_DIST_OVERLAP is read at each step), with the native timer per block.
 * "overlap": the two 2-rank configurations alternated BENCH_DIST_PAIRS times (Spotify 5 epochs,
 * CIFAR 1 epoch), their medians: on a shared machine, the comparison that drifting load spoils least.
 *
 * Env: BENCH_DIST_SPOTIFY_EPOCHS (20), BENCH_DIST_CIFAR_EPOCHS (2; from 2, a 1-epoch fit too, for the later epochs' time), BENCH_DIST_REPS (50),
 * BENCH_DIST_ONLY (spotify,cifar,steps,overlap,allreduce), BENCH_DIST_PAIRS (3), BENCH_DIST_BLOCKS (12), BENCH_CIFAR_DIR (../shared/data/cifar10_jpg_subset).
 * Not in run.sh's default list (it sets its own thread counts): `BENCH_ONLY=distributed bench/run.sh 1`.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { RankReduceStats } from "strata-ml-torch/distributed";
import { emit, envInt, fmt, freePort, SPOTIFY_DEMO_COLUMNS } from "./common.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = fileURLToPath(new URL("../packages/strata/bin/strata.js", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const REPS = envInt("BENCH_DIST_REPS", 50);
/** MobileNetV2 (Keras's, 1000 classes): 3,538,984 parameters. */
const MOBILENET_V2_PARAMS = 3_538_984;

/** The 2-rank configurations: the allreduce overlapped with the backward (the default), and after it. */
const RANK_CONFIGS: { threads: number; nproc: number; env: Record<string, string>; label: string }[] = [
  { threads: 2, nproc: 1, env: {}, label: "" },
  { threads: 1, nproc: 1, env: {}, label: "" },
  { threads: 1, nproc: 2, env: {}, label: ", overlapped" },
  { threads: 1, nproc: 2, env: { TBT_DIST_OVERLAP: "0" }, label: ", after the backward" },
];

if (process.env.BENCH_DIST_ROLE === "allreduce") await allreduceRank();
else if (process.env.BENCH_DIST_ROLE === "steps") await stepsRank();
else await main();

/** One configuration's native step per step (the medians over its blocks), for `stepsRank`. */
interface StepRow {
  net: string;
  overlap: boolean;
  blocks: number;
  stepsPerBlock: number;
  /** Medians over the blocks of: the trainStep call as JS sees it, and the native timer's fields, per step. */
  callMs: number;
  stepMs: number;
  reduceMs: number;
  waitMs: number;
  buckets: number;
  bucketsInBackward: number;
}

/**
 * One rank of the interleaved step timing (2 ranks × 1 thread): strata's CIFAR CNN (32x32x3, Conv32-Conv32-Pool-Conv64-Conv64-Pool-Dense128, batch norm; models/cnn.ts's small
 * default) on random pixels, 32 rows per rank, and a dense 12 → 128 → 64 → 6 network (10,310
 * parameters, near the Spotify one's 10,566) at 128 rows per rank; blocks of steps with the
 * allreduce overlapped and after the backward in the order ABBA ABBA …, so that a drifting
 * machine load falls on both alike. Rank 0 prints one JSON line of StepRow.
 */
async function stepsRank(): Promise<void> {
  const tf = await import("@tensorflow/tfjs-core");
  const tfl = await import("@tensorflow/tfjs-layers");
  await import("strata-ml-torch");
  await tf.setBackend("torch");
  const { fusedAdam } = await import("strata-ml-torch/optimizers");
  const { NativeNetwork } = await import("strata-ml-torch/train");
  const dist = await import("strata-ml-torch/distributed");
  const rank = Number(process.env.RANK);
  dist.initDistributed({
    rank,
    worldSize: 2,
    masterAddr: "127.0.0.1",
    masterPort: Number(process.env.MASTER_PORT),
    timeoutMs: 120_000,
  });
  const blocks = envInt("BENCH_DIST_BLOCKS", 12);
  const rows: StepRow[] = [];
  const conv = (filters: number, inputShape?: number[]) => [
    tfl.layers.conv2d({ filters, kernelSize: 3, padding: "same", useBias: false, inputShape }),
    tfl.layers.batchNormalization({ momentum: 0.9 }),
    tfl.layers.reLU(),
  ];
  const nets = [
    {
      net: "CIFAR CNN, 32 rows per rank",
      rowsPerRank: 32,
      stepsPerBlock: 4,
      shape: [32, 32, 3],
      classes: 10,
      layers: () => [
        ...conv(32, [32, 32, 3]),
        ...conv(32),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        ...conv(64),
        ...conv(64),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 128, activation: "relu" }),
        tfl.layers.dropout({ rate: 0.2 }),
        tfl.layers.dense({ units: 10, activation: "softmax" }),
      ],
    },
    {
      net: "dense 10,310 params, 128 rows per rank",
      rowsPerRank: 128,
      stepsPerBlock: 50,
      shape: [12],
      classes: 6,
      layers: () => [
        tfl.layers.dense({ inputShape: [12], units: 128, activation: "relu" }),
        tfl.layers.dense({ units: 64, activation: "relu" }),
        tfl.layers.dense({ units: 6, activation: "softmax" }),
      ],
    },
  ];
  for (const n of nets) {
    const model = tfl.sequential({ layers: n.layers() });
    const net = NativeNetwork.compile(model);
    if (!(net instanceof NativeNetwork)) throw new Error(`${n.net} does not compile natively: ${net}`);
    dist.broadcastVariables(
      model.weights.map((w) => w.read() as import("@tensorflow/tfjs-core").Variable),
      0,
    );
    const optimizer = fusedAdam(0.001);
    const variables = model.trainableWeights.map((w) => w.read() as import("@tensorflow/tfjs-core").Variable);
    const pool = 16 * n.rowsPerRank;
    const x = tf.randomUniform([pool, ...n.shape], 0, 1, "float32", 7 + rank);
    const y = tf.cast(
      tf.oneHot(tf.randomUniform([pool], 0, n.classes, "int32", 9 + rank), n.classes),
      "float32",
    );
    let step = 0;
    const steps = (count: number) => {
      for (let k = 0; k < count; k++, step++) {
        const start = (step % 16) * n.rowsPerRank;
        const rowsOf = Int32Array.from({ length: n.rowsPerRank }, (_, j) => start + j);
        net.trainStep({ x, y, rows: rowsOf }, [{ variables, optimizer }], step, 0.5);
      }
    };
    steps(n.stepsPerBlock); // warm-up
    const per: Record<string, Omit<StepRow, "net" | "overlap" | "blocks" | "stepsPerBlock">[]> = {
      on: [],
      off: [],
    };
    for (let b = 0; b < blocks; b++) {
      const on = b % 4 === 0 || b % 4 === 3; // ABBA
      process.env.TBT_DIST_OVERLAP = on ? "1" : "0";
      dist.barrier();
      dist.resetStepReduceStats();
      const t0 = performance.now();
      steps(n.stepsPerBlock);
      const callMs = (performance.now() - t0) / n.stepsPerBlock;
      const s = dist.stepReduceStats();
      if (!s || s.steps !== n.stepsPerBlock || s.overlap !== on)
        throw new Error(`step statistics: ${JSON.stringify(s)}`);
      per[on ? "on" : "off"].push({
        callMs,
        stepMs: s.stepMs / s.steps,
        reduceMs: s.reduceMs / s.steps,
        waitMs: s.waitMs / s.steps,
        buckets: s.buckets / s.steps,
        bucketsInBackward: s.bucketsInBackward / s.steps,
      });
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    for (const key of ["on", "off"] as const) {
      const r = per[key];
      rows.push({
        net: n.net,
        overlap: key === "on",
        blocks: r.length,
        stepsPerBlock: n.stepsPerBlock,
        callMs: median(r.map((v) => v.callMs)),
        stepMs: median(r.map((v) => v.stepMs)),
        reduceMs: median(r.map((v) => v.reduceMs)),
        waitMs: median(r.map((v) => v.waitMs)),
        buckets: median(r.map((v) => v.buckets)),
        bucketsInBackward: median(r.map((v) => v.bucketsInBackward)),
      });
    }
    net.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
  }
  dist.barrier();
  dist.shutdownDistributed();
  if (rank === 0) console.log(JSON.stringify(rows));
}

/** One rank of the allreduce timing: rank 0 prints one JSON line. */
async function allreduceRank(): Promise<void> {
  const { initDistributed, allreduceSum, barrier, shutdownDistributed } = await import(
    "strata-ml-torch/distributed"
  );
  const rank = Number(process.env.RANK);
  initDistributed({
    rank,
    worldSize: Number(process.env.WORLD_SIZE),
    masterAddr: "127.0.0.1",
    masterPort: Number(process.env.MASTER_PORT),
    timeoutMs: 60_000,
  });
  const sizes = (process.env.BENCH_DIST_PARAMS ?? "").split(",").map(Number);
  const rows: { params: number; bytes: number; medianMs: number; meanMs: number }[] = [];
  for (const params of sizes) {
    const buf = new Float64Array(Math.ceil(params / 2)).fill(1);
    const reps = params > 1e6 ? Math.max(5, Math.floor(REPS / 5)) : REPS;
    for (let i = 0; i < 3; i++) allreduceSum(buf);
    const ms: number[] = [];
    for (let i = 0; i < reps; i++) {
      barrier();
      const t0 = process.hrtime.bigint();
      allreduceSum(buf);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ms.sort((a, b) => a - b);
    rows.push({
      params,
      bytes: buf.byteLength,
      medianMs: ms[Math.floor(ms.length / 2)],
      meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
    });
  }
  barrier();
  shutdownDistributed();
  if (rank === 0) console.log(JSON.stringify(rows));
}

/** Two ranks of this file in `role`, 1 thread each; rank 0's last line (JSON). */
async function twoRanks(role: string, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const outs = await Promise.all(
    [0, 1].map(
      (rank) =>
        new Promise<string>((ok, fail) => {
          const child = spawn(process.execPath, ["--import", "tsx", SELF], {
            cwd: ROOT,
            env: {
              ...process.env,
              ...threadEnv(1),
              ...env,
              BENCH_DIST_ROLE: role,
              RANK: String(rank),
              WORLD_SIZE: "2",
              MASTER_PORT: String(port),
            },
            stdio: ["ignore", "pipe", "inherit"],
          });
          let out = "";
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
          });
          child.on("exit", (code) =>
            code === 0 ? ok(out) : fail(new Error(`${role} rank ${rank} exited ${code}`)),
          );
        }),
    ),
  );
  return outs[0].trim().split("\n").at(-1) ?? "[]";
}

/** allreduceSum timed between two ranks on buffers of these parameter counts. */
async function timeAllreduce(
  params: number[],
): Promise<{ params: number; bytes: number; medianMs: number; meanMs: number }[]> {
  return JSON.parse(await twoRanks("allreduce", { BENCH_DIST_PARAMS: params.join(",") }));
}

/** The native step, overlapped and not, interleaved in the same two ranks (stepsRank). */
async function timeSteps(): Promise<StepRow[]> {
  const rows = JSON.parse(await twoRanks("steps", {})) as StepRow[];
  console.log(
    "native steps, 2 ranks × 1 thread, blocks interleaved ABBA (rank 0, medians over the blocks, per step):",
  );
  for (const r of rows)
    console.log(
      `  ${r.net}, ${r.overlap ? "overlapped" : "after the backward"} (${r.blocks} blocks of ${r.stepsPerBlock}): ` +
        `trainStep ${fmt(r.callMs)} ms, native ${fmt(r.stepMs)} ms, reduction ${fmt(r.reduceMs)} ms, ` +
        `waited after the backward ${fmt(r.waitMs)} ms (${fmt((100 * r.waitMs) / r.stepMs)}%), ` +
        `${fmt(r.buckets)} buckets (${fmt(r.bucketsInBackward)} started in the backward)`,
    );
  return rows;
}

function threadEnv(t: number): Record<string, string> {
  return { TBT_NUM_THREADS: String(t), OMP_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t) };
}

interface FitJson {
  fitSeconds: number;
  epochs: number;
  accuracy: number;
  nTrain: number;
  parameters: number;
}

/** What each rank appended to TBT_DIST_STATS. */
type RankStats = RankReduceStats;

interface Run {
  config: string;
  fitSeconds: number;
  wallSeconds: number;
  epochSeconds: number;
  stepsPerSecond: number;
  stepMs: number;
  accuracy: number;
  /** Each rank's native step statistics (data-parallel runs). */
  stats?: RankStats[];
}

/** One `strata fit` with `threads` libtorch threads per process (and `--nproc` when given). */
function fit(
  args: string[],
  threads: number,
  nproc: number,
  stepsPerEpoch: number,
  env: Record<string, string> = {},
  label = "",
): Run & { json: FitJson } {
  const extra = nproc > 1 ? ["--nproc", String(nproc)] : [];
  const dir = mkdtempSync(join(tmpdir(), "strata-bench-dist-"));
  const statsFile = join(dir, "stats.jsonl");
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args, "--json", ...extra], {
    cwd: ROOT,
    encoding: "utf8",
    env: {
      ...process.env,
      STRATA_QUIET_BACKEND: "1",
      ...threadEnv(threads),
      ...env,
      TBT_DIST_STATS: statsFile,
    },
    maxBuffer: 64 << 20,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  let stats: RankStats[] | undefined;
  try {
    stats = readFileSync(statsFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as RankStats)
      .sort((a, b) => a.rank - b.rank);
  } catch {
    stats = undefined; // a single process writes none
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (r.status !== 0) throw new Error(`strata fit ${extra.join(" ")} failed (${r.status}): ${r.stderr}`);
  const json = JSON.parse(r.stdout) as FitJson;
  const epochSeconds = json.fitSeconds / json.epochs;
  const config =
    (nproc > 1
      ? `${nproc} ranks × ${threads} thread`
      : `1 process × ${threads} thread${threads > 1 ? "s" : ""}`) + label;
  const run = {
    config,
    fitSeconds: json.fitSeconds,
    wallSeconds,
    epochSeconds,
    stepsPerSecond: stepsPerEpoch / epochSeconds,
    stepMs: (1000 * epochSeconds) / stepsPerEpoch,
    accuracy: json.accuracy,
    stats,
    json,
  };
  console.log(
    `  ${config}: fit ${fmt(json.fitSeconds)} s (${json.epochs} epochs; command ${fmt(wallSeconds)} s), ` +
      `${fmt(epochSeconds)} s/epoch, ${fmt(run.stepsPerSecond)} steps/s (${fmt(run.stepMs)} ms/step), accuracy ${fmt(json.accuracy)}`,
  );
  if (stats?.length) console.log(`    ${describeStats(stats[0], run.stepMs)}`);
  return run;
}

/** Rank 0's native reduction per step, against its native step and the fit's step. */
function describeStats(s: RankStats, fitStepMs: number): string {
  const per = (v: number) => v / s.steps;
  return (
    `rank 0's native step timer over ${s.steps} steps: reduction ${fmt(per(s.reduceMs))} ms/step, ` +
    `of which waited after the backward ${fmt(per(s.waitMs))} ms (${fmt((100 * s.waitMs) / s.stepMs)}% of the native step's ` +
    `${fmt(per(s.stepMs))} ms, ${fmt((100 * per(s.waitMs)) / fitStepMs)}% of the fit's ${fmt(fitStepMs)} ms/step); ` +
    `${fmt(s.buckets / s.steps)} buckets/step, ${fmt(s.bucketsInBackward / s.steps)} started in the backward, ` +
    `${(s.bytes / s.steps / 1e6).toFixed(3)} MB/step`
  );
}

/** a's totals less b's (the later epochs of a 2-epoch fit: less its 1-epoch fit). */
function statsDiff(a: RankStats, b: RankStats): RankStats {
  return {
    ...a,
    steps: a.steps - b.steps,
    stepMs: a.stepMs - b.stepMs,
    reduceMs: a.reduceMs - b.reduceMs,
    waitMs: a.waitMs - b.waitMs,
    buckets: a.buckets - b.buckets,
    bucketsInBackward: a.bucketsInBackward - b.bucketsInBackward,
    bytes: a.bytes - b.bytes,
  };
}

async function main(): Promise<void> {
  const only = (process.env.BENCH_DIST_ONLY ?? "spotify,cifar,steps,overlap,allreduce").split(",");
  console.log(
    `data-parallel bench: ${new Date().toISOString()}, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const results: Record<string, unknown> = {};
  const paramCounts: Record<string, number> = {};
  const stepMs2: Record<string, number> = {};
  // Spotify: batch "auto" → 256 on ~20,400 fit rows (90% of the 22,676 training rows, validation
  // grouped by artist, so the step count is ±1); CIFAR: batch 64 on 9,000 (10,000 less 10%).
  const spotifyEpochs = envInt("BENCH_DIST_SPOTIFY_EPOCHS", 20);
  if (only.includes("spotify")) {
    const args = spotifyArgs(spotifyEpochs);
    const s = spotifySteps(22676);
    const r = configurations("Spotify dense", args, s);
    results.spotify = r;
    paramCounts.spotify = r.parameters;
    stepMs2.spotify = r.runs[2].stepMs;
  }
  const cifarEpochs = envInt("BENCH_DIST_CIFAR_EPOCHS", 2);
  if (only.includes("cifar")) {
    const dir = resolve(process.env.BENCH_CIFAR_DIR ?? "../shared/data/cifar10_jpg_subset");
    const args = ["fit", dir, "--model", "cnn", "--epochs", String(cifarEpochs), "--seed", "0"];
    const one = ["fit", dir, "--model", "cnn", "--epochs", "1", "--seed", "0"];
    const r = configurations("CIFAR CNN", args, Math.ceil(9000 / 64), one);
    results.cifar = r;
    paramCounts.cifar = r.parameters;
    stepMs2.cifar = r.runs[2].laterStepMs ?? r.runs[2].stepMs;
  }
  if (only.includes("steps")) results.steps = await timeSteps();
  if (only.includes("overlap")) {
    const dir = resolve(process.env.BENCH_CIFAR_DIR ?? "../shared/data/cifar10_jpg_subset");
    const spotify = spotifyArgs(5);
    results.overlap = {
      spotify: overlapPairs("Spotify dense, 5 epochs", spotify, spotifySteps(22676)),
      cifar: overlapPairs(
        "CIFAR CNN, 1 epoch",
        ["fit", dir, "--model", "cnn", "--epochs", "1", "--seed", "0"],
        Math.ceil(9000 / 64),
      ),
    };
  }
  if (only.includes("allreduce")) {
    const sizes = [paramCounts.spotify ?? 10566, paramCounts.cifar ?? 591850, MOBILENET_V2_PARAMS];
    const ar = await timeAllreduce(sizes);
    console.log("allreduceSum between 2 ranks × 1 thread on 127.0.0.1 (Gloo), gradient-sized buffers:");
    for (const row of ar) {
      const key = row.params === sizes[0] ? "spotify" : row.params === sizes[1] ? "cifar" : "mobilenetv2";
      const step = stepMs2[key];
      const share = step
        ? `, ${fmt((100 * row.medianMs) / step)}% of the 2-rank step (overlapped: ${fmt(step)} ms)`
        : "";
      console.log(
        `  ${key}: ${row.params} params, ${(row.bytes / 1e6).toFixed(3)} MB: median ${fmt(row.medianMs)} ms, mean ${fmt(row.meanMs)} ms${share}`,
      );
    }
    results.allreduce = ar;
  }
  emit({ bench: "distributed", config: { spotifyEpochs, cifarEpochs, reps: REPS }, results });
}

/** The README's Spotify fit, `epochs` epochs, no early stopping. */
function spotifyArgs(epochs: number): string[] {
  return [
    "fit",
    "data/spotify_songs/spotify_songs.csv",
    ...SPOTIFY_DEMO_COLUMNS,
    "--seed",
    "0",
    "--epochs",
    String(epochs),
    "--patience",
    "0",
  ];
}

/**
 * 2 ranks × 1 thread, the allreduce overlapped with the backward and after it, alternated
 * BENCH_DIST_PAIRS times (a shared machine's load drifts over minutes: each pair compares runs a
 * minute apart); per run, rank 0's native step timer per step and the fit's ms per step; then
 * the medians of each configuration.
 */
function overlapPairs(name: string, args: string[], steps: number) {
  const pairs = envInt("BENCH_DIST_PAIRS", 3);
  console.log(`overlap on and off, ${pairs} pairs, 2 ranks × 1 thread: ${name}`);
  const rows: Record<
    "overlapped" | "after",
    { fitStepMs: number; stepMs: number; reduceMs: number; waitMs: number }[]
  > = { overlapped: [], after: [] };
  for (let p = 0; p < pairs; p++)
    for (const [key, env] of [
      ["overlapped", {}],
      ["after", { TBT_DIST_OVERLAP: "0" }],
    ] as const) {
      const run = fit(args, 1, 2, steps, env, key === "overlapped" ? ", overlapped" : ", after the backward");
      const s = run.stats?.[0];
      if (!s) throw new Error("the ranks wrote no step statistics (TBT_DIST_STATS)");
      rows[key].push({
        fitStepMs: run.stepMs,
        stepMs: s.stepMs / s.steps,
        reduceMs: s.reduceMs / s.steps,
        waitMs: s.waitMs / s.steps,
      });
    }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const summary = Object.fromEntries(
    Object.entries(rows).map(([key, r]) => {
      const m = {
        fitStepMs: median(r.map((x) => x.fitStepMs)),
        stepMs: median(r.map((x) => x.stepMs)),
        reduceMs: median(r.map((x) => x.reduceMs)),
        waitMs: median(r.map((x) => x.waitMs)),
      };
      console.log(
        `  median of ${pairs}, ${key}: fit ${fmt(m.fitStepMs)} ms/step; native step ${fmt(m.stepMs)} ms, ` +
          `reduction ${fmt(m.reduceMs)} ms, waited after the backward ${fmt(m.waitMs)} ms`,
      );
      return [key, m];
    }),
  );
  return { pairs, rows, summary };
}

/** Fit rows ≈ 90% of the training rows (the validation split), batch 256. */
function spotifySteps(nTrain: number): number {
  return Math.ceil(Math.round(nTrain * 0.9) / 256);
}

/**
 * The configurations (RANK_CONFIGS), in the order 2 threads, 1 thread, 2 ranks × 1 thread overlapped,
 * 2 ranks × 1 thread after the backward. With
 * `oneEpochArgs` (the same fit with --epochs 1), each is also fitted for one epoch, and the later
 * epochs' time is the difference (CIFAR: the first epoch decodes the JPEGs, the later ones read the
 * decode cache).
 */
function configurations(name: string, args: string[], steps: number, oneEpochArgs?: string[]) {
  console.log(`${name}: strata ${args.join(" ")} (${steps} steps per epoch)`);
  const runs: (Run & { laterEpochSeconds?: number; laterStepMs?: number; laterStats?: RankStats })[] = [];
  let parameters = 0;
  for (const { threads, nproc, env, label } of RANK_CONFIGS) {
    const { json, ...rest } = fit(args, threads, nproc, steps, env, label);
    parameters = json.parameters;
    if (oneEpochArgs && json.epochs > 1) {
      const one = fit(oneEpochArgs, threads, nproc, steps, env, label);
      const laterEpochSeconds = (json.fitSeconds - one.fitSeconds) / (json.epochs - 1);
      const laterStepMs = (1000 * laterEpochSeconds) / steps;
      console.log(
        `    later epochs (${json.epochs}-epoch fit less the 1-epoch fit): ${fmt(laterEpochSeconds)} s/epoch, ` +
          `${fmt(1000 / laterStepMs)} steps/s (${fmt(laterStepMs)} ms/step)`,
      );
      const laterStats =
        rest.stats?.[0] && one.stats?.[0] ? statsDiff(rest.stats[0], one.stats[0]) : undefined;
      if (laterStats) console.log(`    later epochs: ${describeStats(laterStats, laterStepMs)}`);
      runs.push({ ...rest, laterEpochSeconds, laterStepMs, laterStats });
    } else runs.push(rest);
  }
  return { steps, parameters, runs };
}
