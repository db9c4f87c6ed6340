/**
 * strata's own predict path against ONNX Runtime (onnxruntime-node) on the exported graph of the
 * same model (issue 21: should `strata predict --runtime onnx` exist, and for which kinds?).
 *
 * strata's side is what `strata predict` runs: the saved model loaded with loadClassifier and its
 * predictProba (images: strata's decoder, batches of 64, the native compiled forward where the
 * network compiles, else tfjs-layers' predict, said per model from nativeTrainingStats();
 * tables: the frame, strata's preprocessing, the network or XGBoost). ONNX Runtime's side is
 * what `--runtime onnx` runs: exportOnnx in memory, one InferenceSession (intraOpNumThreads =
 * strata's thread count, interOpNumThreads 1, graphOptimizationLevel "all"), the same inputs
 * (export/onnx-runtime.ts). Both run in this one Node process, so the heap setting of the torch
 * addon (mallopt: blocks up to 1 GiB kept in the heap) applies to both; ONNX Runtime also keeps
 * its own arena.
 *
 * Per model: the network alone on decoded pixels (batches of BENCH_OP_BATCH), the product path
 * from files or a frame, and the one-off cost of opening the model (strata: loadClassifier;
 * ONNX Runtime: load, export and session creation). Each figure is the median of
 * BENCH_OP_REPEATS rounds, the two sides taking turns (the first side alternates), with max |Δp|
 * between the two sides' probabilities and the load average at each round.
 *
 * Env: TBT_NUM_THREADS (both sides' threads; bench/run.sh sets it with OMP_NUM_THREADS and
 * OPENBLAS_NUM_THREADS), BENCH_OP_MODELS ("darknet,mobilenet,dense,xgboost,stack"),
 * BENCH_OP_IMAGES (256), BENCH_OP_BATCH (32), BENCH_OP_ROWS (5000), BENCH_OP_TRAIN_ROWS (6000),
 * BENCH_OP_REPEATS (3), BENCH_OP_TABLE_LOOPS (5: predictions per round for a table model, their
 * median), BENCH_OP_CLI (1: also time the whole `strata predict` command, the built CLI in
 * packages/strata/dist, with and without --runtime onnx; 0 skips).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import * as ort from "onnxruntime-node";
import { TorchBackend } from "strata-ml-torch";
import { nativeTrainingStats } from "strata-ml-torch/train";
import { useBackend } from "../packages/strata/src/backend.js";
import { main } from "../packages/strata/src/cli/main.js";
import { readCsv } from "../packages/strata/src/data/csv.js";
import { csvReadOptions } from "../packages/strata/src/data/schema.js";
import { toFrame } from "../packages/strata/src/data/tabular.js";
import type { AnyClassifier } from "../packages/strata/src/estimators/estimator.js";
import { loadClassifier } from "../packages/strata/src/estimators/load.js";
import { TransferClassifier } from "../packages/strata/src/estimators/transfer.js";
import { OnnxPredictor } from "../packages/strata/src/export/onnx-runtime.js";
import { decodeImage } from "../packages/strata/src/images/decode.js";
import { addZooModel } from "../packages/strata/src/models/zoo/registry.js";
import { predictTensor } from "../packages/strata/src/train/forward.js";
import type { Matrix } from "../packages/strata/src/util/matrix.js";
import { readSchema } from "../packages/strata/src/workflow/model-dir.js";
import { emit, envInt, fmt, median, now, Rng, THREADS } from "./common.js";

const MODELS = (process.env.BENCH_OP_MODELS ?? "darknet,mobilenet,dense,xgboost,stack").split(",");
const IMAGES = envInt("BENCH_OP_IMAGES", 256);
const BATCH = envInt("BENCH_OP_BATCH", 32);
const ROWS = envInt("BENCH_OP_ROWS", 5000);
const TRAIN_ROWS = envInt("BENCH_OP_TRAIN_ROWS", 6000);
const REPEATS = envInt("BENCH_OP_REPEATS", 3);
const TABLE_LOOPS = envInt("BENCH_OP_TABLE_LOOPS", 5);
const CLI = envInt("BENCH_OP_CLI", 1) !== 0;
const STRATA_BIN = new URL("../packages/strata/bin/strata.js", import.meta.url).pathname;
const DATA = new URL("../../shared/data/", import.meta.url).pathname;
const CIFAR = join(DATA, "cifar10_jpg_subset");
const SPOTIFY = join(DATA, "spotify_songs/spotify_songs.csv");
const MOBILENET = join(DATA, "pretrained/nsfwjs_mobilenet_v2_tfjs");

const dir = mkdtempSync(join(tmpdir(), "strata-bench-onnx-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
// The zoo registration and the transfer feature cache go to the temporary folder.
process.env.STRATA_HOME = join(dir, "home");

const backendName = await useBackend();
const backend = tf.engine().backend;
const libtorch = backend instanceof TorchBackend ? backend.addon.buildInfo().torchVersion : "none";
const ortVersion = ort.env.versions.common;
const load = () => loadavg()[0];
console.log(
  `strata predict vs onnxruntime-node ${ortVersion} on the exported graph: backend ${backendName} ` +
    `(libtorch ${libtorch}), threads ${THREADS} both sides (ORT intraOp ${THREADS}, interOp 1, optimisation all), ` +
    `OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? "unset"}, ${REPEATS} rounds; load average ${fmt(load(), 3)}`,
);

/** One measured pair: seconds per round for each side, and what the figure counts. */
interface Pair {
  name: string;
  /** Images or rows per timed call. */
  items: number;
  unit: "images" | "rows" | "seconds";
  strata: number[];
  ort: number[];
  loads: number[];
  maxDp?: number;
  /** Which forward strata ran (native, tfjs-layers, xgboost). */
  path?: string;
}
const pairs: Pair[] = [];

/** Rounds of the two sides taking turns; returns the pair (seconds per call, median per round). */
async function turns(
  name: string,
  items: number,
  unit: Pair["unit"],
  strataSide: () => Promise<unknown>,
  ortSide: () => Promise<unknown>,
  loops = 1,
): Promise<Pair> {
  const pair: Pair = { name, items, unit, strata: [], ort: [], loads: [] };
  const time = async (f: () => Promise<unknown>) => {
    const ts: number[] = [];
    for (let i = 0; i < loops; i++) {
      const t0 = now();
      await f();
      ts.push(now() - t0);
    }
    return median(ts);
  };
  for (let r = 0; r < REPEATS; r++) {
    pair.loads.push(load());
    if (r % 2 === 0) {
      pair.strata.push(await time(strataSide));
      pair.ort.push(await time(ortSide));
    } else {
      pair.ort.push(await time(ortSide));
      pair.strata.push(await time(strataSide));
    }
  }
  const s = median(pair.strata);
  const o = median(pair.ort);
  const rate = (t: number) => (unit === "seconds" ? `${fmt(t, 3)} s` : `${fmt(items / t)} ${unit}/s`);
  console.log(
    `${name}: strata ${rate(s)} | ORT ${rate(o)} | strata/ORT time ${fmt(s / o, 3)}x ` +
      `(strata ${pair.strata.map((t) => fmt(t, 3)).join(" ")} s; ORT ${pair.ort.map((t) => fmt(t, 3)).join(" ")} s; ` +
      `load ${pair.loads.map((l) => fmt(l, 2)).join(" ")})`,
  );
  pairs.push(pair);
  return pair;
}

function maxDiff(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new Error(`shapes differ: ${a.rows}x${a.cols} vs ${b.rows}x${b.cols}`);
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** Which forward the product path ran, from the native inference counters around `f`. */
async function forwardPath<T>(f: () => Promise<T>): Promise<{ value: T; path: string }> {
  const before = nativeTrainingStats();
  const value = await f();
  const after = nativeTrainingStats();
  const fallbacks = Object.entries(after.fallbacks)
    .filter(([k, v]) => k.startsWith("inference:") && v > (before.fallbacks[k] ?? 0))
    .map(([k]) => k);
  const native = after.forwards - before.forwards;
  const path =
    native > 0
      ? `native forward (${native} calls)`
      : fallbacks.length > 0
        ? `tfjs-layers predict (${fallbacks.join("; ")})`
        : "no network forward (XGBoost / logistic)";
  return { value, path };
}

/** A CLI run in this process (the fits; not timed). */
async function strata(args: string[]): Promise<void> {
  const code = await main(["node", "strata", ...args]);
  if (code !== 0) throw new Error(`strata ${args.join(" ")} exited with ${code}`);
}

/** The first `n` CIFAR test images over the ten classes, in turn. */
function cifarTest(n: number): string[] {
  const classes = readdirSync(join(CIFAR, "test")).sort();
  const lists = classes.map((c) =>
    readdirSync(join(CIFAR, "test", c))
      .sort()
      .map((f) => join(CIFAR, "test", c, f)),
  );
  const files: string[] = [];
  for (let i = 0; files.length < n; i++)
    for (const l of lists) if (files.length < n && i < l.length) files.push(l[i]);
  return files;
}

/** An image model: the network alone on pixels, then the product path from files, then opening. */
async function imageModel(label: string, modelDir: string): Promise<void> {
  const model = (await loadClassifier(modelDir)) as TransferClassifier;
  const predictor = await OnnxPredictor.open(modelDir, THREADS);
  const image = predictor.exported.image;
  if (!image) throw new Error("not an image model");
  const { height, width } = image;
  const files = cifarTest(IMAGES);
  const pixels = new Float32Array(files.length * height * width * 3);
  for (const [i, f] of files.entries())
    pixels.set(await decodeImage(f, { width, height, channels: 3 }), i * height * width * 3);
  const per = height * width * 3;
  const session = await ort.InferenceSession.create(predictor.exported.bytes, {
    intraOpNumThreads: THREADS,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const network = model.network;
  const batches = Math.ceil(files.length / BATCH);
  const strataNet = async () => {
    for (let b = 0; b < batches; b++) {
      const n = Math.min(BATCH, files.length - b * BATCH);
      const x = tf.tensor4d(pixels.subarray(b * BATCH * per, (b * BATCH + n) * per), [n, height, width, 3]);
      const y = predictTensor(network, x);
      await y.data();
      tf.dispose([x, y]);
    }
  };
  const ortNet = async () => {
    for (let b = 0; b < batches; b++) {
      const n = Math.min(BATCH, files.length - b * BATCH);
      const x = new ort.Tensor("float32", pixels.subarray(b * BATCH * per, (b * BATCH + n) * per), [
        n,
        height,
        width,
        3,
      ]);
      await session.run({ image: x }, ["probabilities"]);
    }
  };
  // Warm-up (the native forward compiles, ONNX Runtime's first run) and the check.
  const { value: proba, path } = await forwardPath(() => model.predictProba(files));
  const onnx = await predictor.predictFiles(files);
  await ortNet();
  const dp = maxDiff(proba, onnx.proba);
  console.log(
    `${label}: ${model.kind} ${height}x${width}, ${model.classes.length} classes, ${files.length} images; strata ran the ${path}; ` +
      `max |Δp| strata vs ORT ${dp.toExponential(2)}`,
  );
  const net = await turns(
    `${label}: network alone, batch ${BATCH}`,
    files.length,
    "images",
    strataNet,
    ortNet,
  );
  net.path = path;
  net.maxDp = dp;
  const e2e = await turns(
    `${label}: predict from files (decode + network, batches of 64)`,
    files.length,
    "images",
    () => model.predictProba(files),
    () => predictor.predictFiles(files),
  );
  e2e.path = path;
  e2e.maxDp = dp;
  await openCost(label, modelDir);
  await commandCost(label, modelDir, files);
  await session.release();
  await predictor.release();
  model.dispose();
}

/** The one-off cost of opening a model: strata's load against ONNX Runtime's load + export + session. */
async function openCost(label: string, modelDir: string): Promise<void> {
  await turns(
    `${label}: open the model`,
    1,
    "seconds",
    async () => (await loadClassifier(modelDir)).dispose(),
    async () => (await OnnxPredictor.open(modelDir, THREADS)).release(),
  );
}

/** A table model on the predict rows: the product path from the frame, then opening. */
async function tableModel(label: string, modelDir: string, rowsCsv: string): Promise<void> {
  const model: AnyClassifier = await loadClassifier(modelDir);
  const schema = await readSchema(modelDir);
  const table = readCsv(rowsCsv, csvReadOptions(schema));
  const frame = toFrame(table, schema.features);
  const predictor = await OnnxPredictor.open(modelDir, THREADS);
  const predict = (model as unknown as { predictProba(x: unknown): Promise<Matrix> }).predictProba.bind(
    model,
  );
  const { value: proba, path } = await forwardPath(() => predict(frame));
  const onnx = await predictor.predictFrame(table, frame);
  const dp = maxDiff(proba, onnx.proba);
  console.log(
    `${label}: ${model.kind}, ${model.classes.length} classes, ${frame.nRows} rows, inputs ${predictor.exported.inputs.length}; ` +
      `strata ran ${path}; max |Δp| ${dp.toExponential(2)}`,
  );
  const p = await turns(
    `${label}: predict ${frame.nRows} rows (from the frame)`,
    frame.nRows,
    "rows",
    () => predict(frame),
    () => predictor.predictFrame(table, frame),
    TABLE_LOOPS,
  );
  p.path = path;
  p.maxDp = dp;
  await openCost(label, modelDir);
  await commandCost(label, modelDir, [rowsCsv]);
  await predictor.release();
  model.dispose();
}

/**
 * The whole `strata predict` command (a fresh process: start-up, reading, the model, the CSV
 * written), default runtime against --runtime onnx, in the same environment (threads).
 */
async function commandCost(label: string, modelDir: string, inputs: readonly string[]): Promise<void> {
  if (!CLI) return;
  const run = (extra: string[]) => async () => {
    const r = spawnSync(
      process.execPath,
      [STRATA_BIN, "predict", modelDir, ...inputs, "--out", join(dir, "p.csv"), "--quiet", ...extra],
      {
        encoding: "utf8",
      },
    );
    if (r.status !== 0) throw new Error(`strata predict ${extra.join(" ")}: ${r.stderr}`);
  };
  await turns(
    `${label}: the whole strata predict command`,
    inputs.length === 1 ? ROWS : inputs.length,
    "seconds",
    run([]),
    run(["--runtime", "onnx"]),
  );
}

/** A few CIFAR training images per class. */
function cifarTrain(classes: readonly string[], n: number): { x: string[]; y: string[] } {
  const x: string[] = [];
  const y: string[] = [];
  for (const c of classes)
    for (const f of readdirSync(join(CIFAR, "train", c))
      .sort()
      .slice(0, n)) {
      x.push(join(CIFAR, "train", c, f));
      y.push(c);
    }
  return { x, y };
}

async function transfer(backbone: string, label: string): Promise<void> {
  const t0 = now();
  const { x, y } = cifarTrain(["cat", "ship", "frog"], 8);
  const model = await new TransferClassifier({
    backbone,
    size: [224, 224],
    epochs: 5,
    fineTune: 0,
    batchSize: 8,
    validationFraction: 0,
  }).fit(x, y);
  const modelDir = join(dir, label);
  await model.save(modelDir);
  model.dispose();
  console.log(`\n${label}: head fitted on ${x.length} images in ${fmt(now() - t0, 3)} s`);
  await imageModel(label, modelDir);
}

/** The Spotify rows: TRAIN_ROWS to fit and ROWS others to predict, drawn over the whole file. */
function spotifySplit(): { train: string; rows: string } {
  const lines = readCsv(SPOTIFY, {});
  const header = lines.columns;
  const quote = (c: string) => (/[",\n\r]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c);
  const text = (rows: readonly (readonly string[])[]) =>
    `${[header, ...rows].map((r) => r.map(quote).join(",")).join("\n")}\n`;
  // The file is sorted by genre: rows drawn in a seeded random order, the first to fit, the next to predict.
  const rng = new Rng(21);
  const order = lines.rows.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const even = order.slice(0, TRAIN_ROWS).map((i) => lines.rows[i]);
  const odd = order.slice(TRAIN_ROWS, TRAIN_ROWS + ROWS).map((i) => lines.rows[i]);
  writeFileSync(join(dir, "spotify-train.csv"), text(even));
  writeFileSync(join(dir, "spotify-rows.csv"), text(odd));
  return { train: join(dir, "spotify-train.csv"), rows: join(dir, "spotify-rows.csv") };
}

let spotify: { train: string; rows: string } | undefined;
async function table(kind: "dense" | "xgboost" | "stack"): Promise<void> {
  spotify ??= spotifySplit();
  const modelDir = join(dir, `spotify-${kind}`);
  const t0 = now();
  const extra =
    kind === "dense"
      ? ["--epochs", "10"]
      : kind === "xgboost"
        ? []
        : ["--members", "dense,xgboost", "--stack-folds", "2", "--jobs", "1"];
  await strata([
    "fit",
    spotify.train,
    "--target",
    "playlist_genre",
    "--model",
    kind,
    ...extra,
    "--quiet",
    "--out",
    modelDir,
  ]);
  console.log(`\nspotify ${kind}: fitted on ${TRAIN_ROWS} rows in ${fmt(now() - t0, 3)} s`);
  await tableModel(`spotify ${kind}`, modelDir, spotify.rows);
}

const t0 = now();
for (const m of MODELS) {
  if (m === "darknet") await transfer("darknet-tiny", "transfer darknet-tiny");
  else if (m === "mobilenet") {
    await addZooModel("nsfwjs-mobilenet-v2", MOBILENET);
    await transfer("nsfwjs-mobilenet-v2", "transfer MobileNetV2");
  } else if (m === "dense" || m === "xgboost" || m === "stack") await table(m);
  else throw new Error(`BENCH_OP_MODELS: unknown model ${m}`);
}
console.log(`\ntook ${fmt(now() - t0, 3)} s; load average at the end ${fmt(load(), 3)}`);
emit({
  bench: "onnx_predict",
  threads: THREADS,
  backend: backendName,
  libtorch,
  onnxruntime: ortVersion,
  measurements: pairs.map((p) => ({
    name: p.name,
    unit: p.unit === "seconds" ? "s" : `${p.unit}/s`,
    strata: p.unit === "seconds" ? median(p.strata) : p.items / median(p.strata),
    ort: p.unit === "seconds" ? median(p.ort) : p.items / median(p.ort),
    ratio: median(p.strata) / median(p.ort),
    strataSeconds: p.strata,
    ortSeconds: p.ort,
    loads: p.loads,
    maxDp: p.maxDp,
    path: p.path,
  })),
});
process.exit(0);
