/**
 * Ensembles on real data, as `strata fit` / `strata cv` would run them:
 *
 * - Spotify genre (artist-grouped 80/20 split, seed 0, duplicates of track_id dropped): a stack
 *   of its members (default: dense + xgboost) fitted with its jobs in child processes
 *   (BENCH_ENS_JOBS, default 2) and again one after another in this process with one thread each,
 *   so the two fit times give the speedup of running jobs at once; the test accuracy of each
 *   member, of the stack and of an equal-weight soft vote of the same fitted members; whether both
 *   fits gave the same probabilities.
 * - Pima diabetes, stratified 5-fold cross-validation for seeds 0-4 (BENCH_ENS_PIMA_SEEDS): each
 *   member alone (BENCH_ENS_PIMA_MEMBERS, default logistic,dense:small,xgboost:shallow), a soft
 *   vote, a hard vote, a vote with learned weights and a stack; then each model's accuracy per
 *   seed, its mean over seeds and an ensemble's margin over its best member per seed. The peer
 *   (bench/peers/pima_ensembles.py) runs scikit-learn's and XGBoost's counterparts on the same folds.
 *
 * Env: BENCH_ENS_ONLY (spotify | pima | peers | both, default both), BENCH_ENS_MEMBERS
 * (Spotify's stack, "dense,xgboost"), BENCH_ENS_JOBS (2), BENCH_ENS_SEQUENTIAL=0 (skip the
 * one-after-another fit), BENCH_PEERS=0 (skip bench/peers/ensembles.py: XGBoost and scikit-learn on the
 * same rows). Run: `node --import tsx bench/ensembles.ts`; each figure is one JSON line.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Frame } from "../packages/strata/src/data/frame.js";
import type { Classifier, EstimatorSpec } from "../packages/strata/src/estimators/estimator.js";
import { encodeLabels } from "../packages/strata/src/estimators/labels.js";
import { parseMembers } from "../packages/strata/src/estimators/presets.js";
import { createEstimator } from "../packages/strata/src/estimators/registry.js";
import { StackingClassifier } from "../packages/strata/src/estimators/stacking.js";
import { XGBOOST_DEFAULTS } from "../packages/strata/src/estimators/xgboost.js";
import { accuracy, classificationReport } from "../packages/strata/src/metrics/classification.js";
import { trainValidationSplit } from "../packages/strata/src/split/holdout.js";
import { kFold } from "../packages/strata/src/split/kfold.js";
import type { Split } from "../packages/strata/src/split/types.js";
import { argmaxRows, type Matrix, matrix } from "../packages/strata/src/util/matrix.js";
import { crossValidate } from "../packages/strata/src/workflow/cross-validate.js";
import {
  type LabelledRows,
  loadCsvDataset,
  trainTestSplit,
} from "../packages/strata/src/workflow/dataset.js";
import { envFlag, envInt, PYTHON } from "./common.js";

// The one-after-another fit runs in this process with one thread, as each child process does
// (libtorch sizes its pool when the backend starts, at the first fit, so this is early enough).
process.env.TBT_NUM_THREADS ??= "1";
const DATA = fileURLToPath(new URL("../../shared/data/", import.meta.url));
const only = process.env.BENCH_ENS_ONLY ?? "both";
const jobs = envInt("BENCH_ENS_JOBS", 2);
const memberList = process.env.BENCH_ENS_MEMBERS ?? "dense,xgboost";

function line(record: object): void {
  console.log(JSON.stringify(record));
}

function seconds(since: number): number {
  return Math.round((performance.now() - since) / 100) / 10;
}

function softVote(proba: readonly Matrix[]): Matrix {
  const out = matrix(proba[0].rows, proba[0].cols);
  for (const p of proba) for (let i = 0; i < out.data.length; i++) out.data[i] += p.data[i] / proba.length;
  return out;
}

async function spotify(): Promise<void> {
  const data = loadCsvDataset(`${DATA}spotify_songs/spotify_songs.csv`, {
    target: "playlist_genre",
    group: "track_artist",
    dropDuplicates: "track_id",
  });
  const { train, test } = trainTestSplit(data, { testSize: 0.2, seed: 0 });
  const truth = encodeLabels(test.y, data.labels);
  if (envFlag("BENCH_PEERS")) peers(train, test, data.labels);
  if (only === "peers") return;
  const members = parseMembers(memberList);
  const fit = async (options: { jobs: number; threads?: number }) => {
    const stack = new StackingClassifier({ members });
    const started = performance.now();
    await stack.fit(train.frame, train.y, { classes: data.labels, groups: train.groups, ...options });
    const fitSeconds = seconds(started);
    const votes = await stack.predictVotes(test.frame);
    return { stack, fitSeconds, votes };
  };
  const parallel = await fit({ jobs });
  const { stack, votes } = parallel;
  for (const [i, m] of votes.members.entries())
    line({
      data: "spotify",
      model: m.name,
      accuracy: accuracy(truth, argmaxRows(m.proba)),
      fitSeconds: stack.fitSummary!.members![i].summary.seconds,
      rounds: stack.fitSummary!.members![i].summary.bestEpoch,
      outOfFold: stack.outOfFold![i].accuracy,
    });
  line({
    data: "spotify",
    model: `soft vote (${memberList}, equal weights, the stack's members)`,
    accuracy: accuracy(truth, argmaxRows(softVote(votes.members.map((m) => m.proba)))),
  });
  const report = classificationReport(truth, argmaxRows(votes.combined), data.labels, votes.combined);
  line({
    data: "spotify",
    model: `stack (${memberList} -> logistic, 5 grouped folds)`,
    accuracy: report.accuracy,
    macroF1: report.macroF1,
    jobs,
    fitSeconds: parallel.fitSeconds,
  });
  if (envFlag("BENCH_ENS_SEQUENTIAL")) {
    const one = await fit({ jobs: 1, threads: 1 });
    line({
      data: "spotify",
      model: "stack, its jobs one after another in one process, one thread",
      fitSeconds: one.fitSeconds,
      speedup: Math.round((one.fitSeconds / parallel.fitSeconds) * 100) / 100,
      sameProbabilities: one.votes.combined.data.every((v, i) => v === votes.combined.data[i]),
    });
    one.stack.dispose();
  }
  stack.dispose();
}

/** A frame's values row by row for a Python peer: null where a value is missing. */
function numericRows(frame: Frame): (number | null)[][] {
  return Array.from({ length: frame.nRows }, (_, r) =>
    frame.names.map((name) => {
      const column = frame.column(name);
      if (column.kind !== "numeric") throw new Error(`the peer takes numeric columns; ${name} is not`);
      return Number.isNaN(column.values[r]) ? null : column.values[r];
    }),
  );
}

/** Runs a peer script of bench/peers/ on its JSON input file, then removes the file's folder. */
function runPeer(script: string, file: string): void {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const run = spawnSync(PYTHON, [path, file], { stdio: ["ignore", "inherit", "inherit"] });
  rmSync(dirname(file), { recursive: true, force: true });
  if (run.status !== 0) console.error(`${script} failed (exit ${run.status})`);
}

/** bench/peers/ensembles.py on the same rows, features and early-stopping split. */
function peers(train: LabelledRows, test: LabelledRows, labels: readonly string[]): void {
  const everyRow = Array.from({ length: train.y.length }, (_, i) => i);
  const split = trainValidationSplit(everyRow, XGBOOST_DEFAULTS.validationFraction, 0, {
    stratify: train.y,
    groups: train.groups,
  });
  const file = join(mkdtempSync(join(tmpdir(), "strata-bench-")), "spotify.json");
  writeFileSync(
    file,
    JSON.stringify({
      xTrain: numericRows(train.frame),
      yTrain: Array.from(encodeLabels(train.y, labels)),
      xTest: numericRows(test.frame),
      yTest: Array.from(encodeLabels(test.y, labels)),
      fit: split.fit,
      validation: split.validation,
    }).replaceAll("null", "NaN"),
  );
  runPeer("peers/ensembles.py", file);
}

/** Mean and population standard deviation, rounded to 4 places. */
function meanStd(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return { mean: Math.round(mean * 1e4) / 1e4, std: Math.round(std * 1e4) / 1e4 };
}

/**
 * Pima: every member alone and four ensembles of them, 5-fold stratified CV for each seed in
 * BENCH_ENS_PIMA_SEEDS. A seed changes the folds too, so the spread over seeds is the noise an
 * accuracy difference on 768 rows has to beat. The peer gets the very same folds.
 */
async function pima(): Promise<void> {
  const data = loadCsvDataset(`${DATA}pima_diabetes/pima-indians-diabetes.csv`, { target: "outcome" });
  const seeds = (process.env.BENCH_ENS_PIMA_SEEDS ?? "0,1,2,3,4").split(",").map(Number);
  const memberNames = (process.env.BENCH_ENS_PIMA_MEMBERS ?? "logistic,dense:small,xgboost:shallow").split(
    ",",
  );
  const foldsBySeed = seeds.map((seed) => kFold(data.y.length, { k: 5, seed, stratify: data.y }));
  if (envFlag("BENCH_PEERS")) pimaPeers(data.frame, encodeLabels(data.y, data.labels), seeds, foldsBySeed);
  if (only === "peers") return;
  const scores = new Map<string, number[]>();
  for (const [s, seed] of seeds.entries()) {
    const members = parseMembers(memberNames, seed);
    const models: { name: string; spec: EstimatorSpec }[] = [
      ...members.map((spec, i) => ({ name: memberNames[i], spec })),
      { name: "soft vote", spec: { kind: "vote", params: { members, seed } } },
      { name: "hard vote", spec: { kind: "vote", params: { members, voting: "hard", seed } } },
      {
        name: "vote, learned weights",
        spec: { kind: "vote", params: { members, weights: "learned", seed } },
      },
      { name: "stack -> logistic", spec: { kind: "stack", params: { members, seed } } },
    ];
    for (const { name, spec } of models) {
      const started = performance.now();
      const cv = await crossValidate(
        (await createEstimator(spec)) as Classifier<Frame>,
        { x: data.frame, y: data.y },
        { splits: foldsBySeed[s], classes: data.labels, fitOptions: { jobs } as object },
      );
      const { mean, std } = meanStd(cv.folds.map((f) => f.report.accuracy));
      scores.set(name, [...(scores.get(name) ?? []), mean]);
      line({ data: "pima", seed, model: name, accuracy: mean, accuracyStd: std, seconds: seconds(started) });
    }
  }
  const bestMember = (s: number) => Math.max(...memberNames.map((n) => scores.get(n)![s]));
  for (const [name, perSeed] of scores) {
    const margins = perSeed.map((a, s) => Math.round((a - bestMember(s)) * 1e4) / 1e4);
    line({
      data: "pima",
      model: name,
      seeds,
      accuracyBySeed: perSeed,
      accuracyOverSeeds: meanStd(perSeed),
      ...(memberNames.includes(name) ? {} : { overBestMemberBySeed: margins }),
    });
  }
}

/** bench/peers/pima_ensembles.py on the same rows and the same folds of every seed. */
function pimaPeers(
  frame: Frame,
  y: Int32Array,
  seeds: readonly number[],
  foldsBySeed: readonly Split[][],
): void {
  const file = join(mkdtempSync(join(tmpdir(), "strata-bench-")), "pima.json");
  writeFileSync(
    file,
    JSON.stringify({
      x: numericRows(frame),
      y: Array.from(y),
      seeds,
      testFolds: foldsBySeed.map((splits) => splits.map((split) => split.test)),
    }).replaceAll("null", "NaN"),
  );
  runPeer("peers/pima_ensembles.py", file);
}

if (only !== "pima") await spotify();
if (only !== "spotify") await pima();
