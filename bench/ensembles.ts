/**
 * Ensembles on real data, as `strata fit` / `strata cv` would run them:
 *
 * - Spotify genre (artist-grouped 80/20 split, seed 0, duplicates of track_id dropped): a stack
 *   of its members (default: dense + xgboost) fitted with its jobs in child processes
 *   (BENCH_ENS_JOBS, default 2) and again one after another in this process with one thread each,
 *   so the two fit times give the speedup of running jobs at once; the test accuracy of each
 *   member, of the stack and of an equal-weight soft vote of the same fitted members; whether both
 *   fits gave the same probabilities.
 * - Pima diabetes, stratified 5-fold cross-validation (seed 0): each member alone, the stack and a
 *   vote with learned weights.
 *
 * Env: BENCH_ENS_ONLY (spotify | pima | peers | both, default both), BENCH_ENS_MEMBERS
 * ("dense,xgboost"; Pima adds logistic), BENCH_ENS_JOBS (2), BENCH_ENS_SEQUENTIAL=0 (skip the
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

/** bench/peers/ensembles.py on the same rows, features and early-stopping split. */
function peers(train: LabelledRows, test: LabelledRows, labels: readonly string[]): void {
  const rows = (frame: Frame) =>
    Array.from({ length: frame.nRows }, (_, r) =>
      frame.names.map((name) => {
        const column = frame.column(name);
        if (column.kind !== "numeric") throw new Error(`the peer takes numeric columns; ${name} is not`);
        return Number.isNaN(column.values[r]) ? null : column.values[r];
      }),
    );
  const everyRow = Array.from({ length: train.y.length }, (_, i) => i);
  const split = trainValidationSplit(everyRow, XGBOOST_DEFAULTS.validationFraction, 0, {
    stratify: train.y,
    groups: train.groups,
  });
  const file = join(mkdtempSync(join(tmpdir(), "strata-bench-")), "spotify.json");
  writeFileSync(
    file,
    JSON.stringify({
      xTrain: rows(train.frame),
      yTrain: Array.from(encodeLabels(train.y, labels)),
      xTest: rows(test.frame),
      yTest: Array.from(encodeLabels(test.y, labels)),
      fit: split.fit,
      validation: split.validation,
    }).replaceAll("null", "NaN"),
  );
  const script = fileURLToPath(new URL("peers/ensembles.py", import.meta.url));
  const run = spawnSync(PYTHON, [script, file], { stdio: ["ignore", "inherit", "inherit"] });
  rmSync(dirname(file), { recursive: true, force: true });
  if (run.status !== 0) console.error(`the peer failed (exit ${run.status})`);
}

async function pima(): Promise<void> {
  const data = loadCsvDataset(`${DATA}pima_diabetes/pima-indians-diabetes.csv`, { target: "outcome" });
  const splits = kFold(data.y.length, { k: 5, seed: 0, stratify: data.y });
  const members = parseMembers(`logistic,${memberList}`);
  const models: { name: string; spec: EstimatorSpec }[] = [
    ...members.map((spec) => ({ name: spec.kind, spec })),
    { name: "stack", spec: { kind: "stack", params: { members } } },
    { name: "vote (learned weights)", spec: { kind: "vote", params: { members, weights: "learned" } } },
  ];
  for (const { name, spec } of models) {
    const started = performance.now();
    const cv = await crossValidate(
      (await createEstimator(spec)) as Classifier<Frame>,
      { x: data.frame, y: data.y },
      { splits, classes: data.labels, fitOptions: { jobs } as object },
    );
    const accuracies = cv.folds.map((f) => f.report.accuracy);
    const mean = accuracies.reduce((a, b) => a + b) / accuracies.length;
    const std = Math.sqrt(accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / accuracies.length);
    line({ data: "pima", model: name, accuracy: mean, accuracyStd: std, seconds: seconds(started) });
  }
}

if (only !== "pima") await spotify();
if (only !== "spotify" && only !== "peers") await pima();
