/**
 * The Spotify demo, whole: `strata fit` on data/spotify_songs (the `npm run demo` command, with
 * --json) on the torch backend with the native training step, against the PyTorch peer
 * (bench/peers/spotify_mlp.py: the same network, batch size, validation and epoch count). Also
 * one epoch's time (a fit of BENCH_SPOTIFY_EPOCHS epochs, patience 0) with the native step, with
 * TF.js's step on the torch backend (STRATA_NATIVE_STEP=0) and on TF.js's CPU backend
 * (STRATA_BACKEND=cpu), as ratios.
 *
 * Env: TBT_NUM_THREADS, BENCH_SPOTIFY_EPOCHS (5), BENCH_SPOTIFY_CPU=0 (skip the CPU backend),
 * BENCH_PEERS=0.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import {
  emit,
  envFlag,
  envInt,
  fmt,
  type Measurement,
  measure,
  num,
  runPeer,
  SPOTIFY_DEMO_COLUMNS,
  THREADS,
} from "./common.js";

const EPOCHS = envInt("BENCH_SPOTIFY_EPOCHS", 5);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLI = fileURLToPath(new URL("../packages/strata/bin/strata.js", import.meta.url));
const DEMO = [
  "fit",
  "data/spotify_songs/spotify_songs.csv",
  ...SPOTIFY_DEMO_COLUMNS,
  "--seed",
  "0",
  "--json",
];

interface FitJson {
  fitSeconds: number;
  epochs: number;
  bestEpoch: number;
  accuracy: number;
  backend: string;
}

function strataFit(extra: string[], env: Record<string, string>): FitJson {
  const r = spawnSync(process.execPath, [CLI, ...DEMO, ...extra], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, STRATA_QUIET_BACKEND: "1", TBT_NUM_THREADS: String(THREADS), ...env },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`strata fit failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as FitJson;
}

console.log(`Spotify demo fit, threads ${THREADS}`);
const demo = strataFit([], {});
console.log(
  `strata fit (native step): ${fmt(demo.fitSeconds)} s, ${demo.epochs} epochs (best ${demo.bestEpoch}), ` +
    `test accuracy ${fmt(demo.accuracy)}, backend ${demo.backend}`,
);
const short = ["--epochs", String(EPOCHS), "--patience", "0"];
const native = strataFit(short, {});
const tfjsStep = strataFit(short, { STRATA_NATIVE_STEP: "0" });
const cpu = envFlag("BENCH_SPOTIFY_CPU") ? strataFit(short, { STRATA_BACKEND: "cpu" }) : undefined;
const perEpoch = (f: FitJson) => f.fitSeconds / f.epochs;
console.log(
  `${EPOCHS}-epoch fits, s/epoch: native ${fmt(perEpoch(native))}, TF.js step ${fmt(perEpoch(tfjsStep))}` +
    (cpu ? `, CPU backend ${fmt(perEpoch(cpu))}` : ""),
);
console.log(`native step vs TF.js step on torch: ${fmt(perEpoch(tfjsStep) / perEpoch(native))}x faster`);
if (cpu) console.log(`native step vs TF.js's CPU backend: ${fmt(perEpoch(cpu) / perEpoch(native))}x faster`);

const peer = runPeer("spotify_mlp.py", { epochs: demo.epochs });
const measurements: Measurement[] = [
  measure(
    `Spotify demo fit (${demo.epochs} epochs, whole strata fit)`,
    "s",
    demo.fitSeconds,
    num(peer, "fit_s"),
  ),
  measure("Spotify epoch (native step)", "ms", 1000 * perEpoch(native), num(peer, "epoch_ms")),
  measure(
    "Spotify epoch (TF.js step, torch backend)",
    "ms",
    1000 * perEpoch(tfjsStep),
    num(peer, "epoch_ms"),
  ),
];
if (cpu)
  measurements.push(
    measure("Spotify epoch (TF.js CPU backend)", "ms", 1000 * perEpoch(cpu), num(peer, "epoch_ms")),
  );
emit({
  bench: "spotify_fit",
  threads: THREADS,
  config: { epochs: EPOCHS },
  demo,
  perEpochSeconds: {
    native: perEpoch(native),
    tfjsStep: perEpoch(tfjsStep),
    cpu: cpu ? perEpoch(cpu) : null,
  },
  speedupVsCpu: cpu ? perEpoch(cpu) / perEpoch(native) : null,
  measurements,
  peer,
});
