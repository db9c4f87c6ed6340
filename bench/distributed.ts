/**
 * Data-parallel training (issue 25) on this machine: `strata fit` as one process with 2 threads,
 * one process with 1 thread, and 2 ranks × 1 thread (`--nproc 2`, c10d + Gloo on 127.0.0.1), on
 * the Spotify demo's dense network (the README's fit command, BENCH_DIST_SPOTIFY_EPOCHS epochs,
 * patience 0) and on the CIFAR-subset CNN (BENCH_DIST_CIFAR_EPOCHS epochs, decoding included:
 * each rank decodes only its shard). Reported: the fit's seconds (`fitSeconds` of rank 0's --json,
 * validation included), seconds per epoch, training steps per second, and the command's wall time
 * (process start-up and, for 2 ranks, the launch and rendezvous included).
 *
 * The allreduce's share: the native step (packages/tfjs-backend-torch/native/dist.cc) has no
 * timer, so two ranks started by this file (BENCH_DIST_ROLE=allreduce, 1 thread each) time
 * `allreduceSum` on a buffer of the network's gradient bytes (parameters × 4 bytes, fp32, as the
 * native step sends them; a Float64Array of half as many elements), median of BENCH_DIST_REPS
 * calls after a warm-up, and that is set against the 2-rank step's time.
 *
 * Env: BENCH_DIST_SPOTIFY_EPOCHS (20), BENCH_DIST_CIFAR_EPOCHS (2; from 2, a 1-epoch fit too, for the later epochs' time), BENCH_DIST_REPS (50),
 * BENCH_DIST_ONLY (spotify,cifar,allreduce), BENCH_CIFAR_DIR (../shared/data/cifar10_jpg_subset).
 * Not in run.sh's default list (it sets its own thread counts): `BENCH_ONLY=distributed bench/run.sh 1`.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { emit, envInt, fmt } from "./common.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = fileURLToPath(new URL("../packages/strata/bin/strata.js", import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const REPS = envInt("BENCH_DIST_REPS", 50);
/** MobileNetV2 (Keras's, 1000 classes): 3,538,984 parameters. */
const MOBILENET_V2_PARAMS = 3_538_984;

if (process.env.BENCH_DIST_ROLE === "allreduce") await allreduceRank();
else await main();

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

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a ? ok(a.port) : fail(new Error("no port"))));
    });
  });
}

/** Two ranks of this file, 1 thread each; rank 0's JSON line. */
async function timeAllreduce(
  params: number[],
): Promise<{ params: number; bytes: number; medianMs: number; meanMs: number }[]> {
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
              BENCH_DIST_ROLE: "allreduce",
              BENCH_DIST_PARAMS: params.join(","),
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
            code === 0 ? ok(out) : fail(new Error(`allreduce rank ${rank} exited ${code}`)),
          );
        }),
    ),
  );
  return JSON.parse(outs[0].trim().split("\n").at(-1) ?? "[]");
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

interface Run {
  config: string;
  fitSeconds: number;
  wallSeconds: number;
  epochSeconds: number;
  stepsPerSecond: number;
  stepMs: number;
  accuracy: number;
}

/** One `strata fit` with `threads` libtorch threads per process (and `--nproc` when given). */
function fit(args: string[], threads: number, nproc: number, stepsPerEpoch: number): Run & { json: FitJson } {
  const extra = nproc > 1 ? ["--nproc", String(nproc)] : [];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args, "--json", ...extra], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, STRATA_QUIET_BACKEND: "1", ...threadEnv(threads) },
    maxBuffer: 64 << 20,
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`strata fit ${extra.join(" ")} failed (${r.status}): ${r.stderr}`);
  const json = JSON.parse(r.stdout) as FitJson;
  const epochSeconds = json.fitSeconds / json.epochs;
  const config =
    nproc > 1
      ? `${nproc} ranks × ${threads} thread`
      : `1 process × ${threads} thread${threads > 1 ? "s" : ""}`;
  const run = {
    config,
    fitSeconds: json.fitSeconds,
    wallSeconds,
    epochSeconds,
    stepsPerSecond: stepsPerEpoch / epochSeconds,
    stepMs: (1000 * epochSeconds) / stepsPerEpoch,
    accuracy: json.accuracy,
    json,
  };
  console.log(
    `  ${config}: fit ${fmt(json.fitSeconds)} s (${json.epochs} epochs; command ${fmt(wallSeconds)} s), ` +
      `${fmt(epochSeconds)} s/epoch, ${fmt(run.stepsPerSecond)} steps/s (${fmt(run.stepMs)} ms/step), accuracy ${fmt(json.accuracy)}`,
  );
  return run;
}

async function main(): Promise<void> {
  const only = (process.env.BENCH_DIST_ONLY ?? "spotify,cifar,allreduce").split(",");
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
    const args = [
      "fit",
      "data/spotify_songs/spotify_songs.csv",
      "--target",
      "playlist_genre",
      "--group",
      "track_artist",
      "--drop-duplicates",
      "track_id",
      "--seed",
      "0",
      "--epochs",
      String(spotifyEpochs),
      "--patience",
      "0",
    ];
    const s = spotifySteps(22676);
    const r = threeWaysFixed("Spotify dense", args, s);
    results.spotify = r;
    paramCounts.spotify = r.parameters;
    stepMs2.spotify = r.runs[2].stepMs;
  }
  const cifarEpochs = envInt("BENCH_DIST_CIFAR_EPOCHS", 2);
  if (only.includes("cifar")) {
    const dir = resolve(process.env.BENCH_CIFAR_DIR ?? "../shared/data/cifar10_jpg_subset");
    const args = ["fit", dir, "--model", "cnn", "--epochs", String(cifarEpochs), "--seed", "0"];
    const one = ["fit", dir, "--model", "cnn", "--epochs", "1", "--seed", "0"];
    const r = threeWaysFixed("CIFAR CNN", args, Math.ceil(9000 / 64), one);
    results.cifar = r;
    paramCounts.cifar = r.parameters;
    stepMs2.cifar = r.runs[2].laterStepMs ?? r.runs[2].stepMs;
  }
  if (only.includes("allreduce")) {
    const sizes = [paramCounts.spotify ?? 10566, paramCounts.cifar ?? 591850, MOBILENET_V2_PARAMS];
    const ar = await timeAllreduce(sizes);
    console.log("allreduceSum between 2 ranks × 1 thread on 127.0.0.1 (Gloo), gradient-sized buffers:");
    for (const row of ar) {
      const key = row.params === sizes[0] ? "spotify" : row.params === sizes[1] ? "cifar" : "mobilenetv2";
      const step = stepMs2[key];
      const share = step ? `, ${fmt((100 * row.medianMs) / step)}% of the 2-rank step (${fmt(step)} ms)` : "";
      console.log(
        `  ${key}: ${row.params} params, ${(row.bytes / 1e6).toFixed(3)} MB: median ${fmt(row.medianMs)} ms, mean ${fmt(row.meanMs)} ms${share}`,
      );
    }
    results.allreduce = ar;
  }
  emit({ bench: "distributed", config: { spotifyEpochs, cifarEpochs, reps: REPS }, results });
}

/** Fit rows ≈ 90% of the training rows (the validation split), batch 256. */
function spotifySteps(nTrain: number): number {
  return Math.ceil(Math.round(nTrain * 0.9) / 256);
}

/**
 * The three configurations, in the order 2 threads, 1 thread, 2 ranks × 1 thread. With
 * `oneEpochArgs` (the same fit with --epochs 1), each is also fitted for one epoch, and the later
 * epochs' time is the difference (CIFAR: the first epoch decodes the JPEGs, the later ones read the
 * decode cache).
 */
function threeWaysFixed(name: string, args: string[], steps: number, oneEpochArgs?: string[]) {
  console.log(`${name}: strata ${args.join(" ")} (${steps} steps per epoch)`);
  const runs: (Run & { laterEpochSeconds?: number; laterStepMs?: number })[] = [];
  let parameters = 0;
  for (const [threads, nproc] of [
    [2, 1],
    [1, 1],
    [1, 2],
  ]) {
    const { json, ...rest } = fit(args, threads, nproc, steps);
    parameters = json.parameters;
    if (oneEpochArgs && json.epochs > 1) {
      const one = fit(oneEpochArgs, threads, nproc, steps);
      const laterEpochSeconds = (json.fitSeconds - one.fitSeconds) / (json.epochs - 1);
      const laterStepMs = (1000 * laterEpochSeconds) / steps;
      console.log(
        `    later epochs (${json.epochs}-epoch fit less the 1-epoch fit): ${fmt(laterEpochSeconds)} s/epoch, ` +
          `${fmt(1000 / laterStepMs)} steps/s (${fmt(laterStepMs)} ms/step)`,
      );
      runs.push({ ...rest, laterEpochSeconds, laterStepMs });
    } else runs.push(rest);
  }
  return { steps, parameters, runs };
}
