/**
 * The learning-rate finder (issue 23): fastai's lr_find sweep on a network estimator, its
 * suggestion, `learningRate: "auto"` on a fit (recorded in its summary, kept through save and
 * load), and `strata lr-find` writing its chart and JSON.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { CnnClassifier } from "../src/estimators/cnn.js";
import { DenseClassifier, loadTableClassifier } from "../src/index.js";
import { valleySuggestion } from "../src/train/lr-rule.js";
import { Rng } from "../src/util/random.js";
import { findLearningRate } from "../src/workflow/lr-find.js";
import { assertUserError, lastJson, runCli, tempDir, writeCsv } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";
import { smallTransfer } from "./helpers/small-transfer.js";

/** Rows on either side of a line through three numeric columns (the third is noise): separable. */
function separable(n: number, seed: number): { rows: number[][]; labels: string[] } {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, c] = [rng.next() * 2 - 1, rng.next() * 2 - 1, rng.next()];
    rows.push([a, b, c]);
    labels.push(a + 0.5 * b > 0 ? "yes" : "no");
  }
  return { rows, labels };
}

function accuracy(predicted: readonly string[], truth: readonly string[]): number {
  return predicted.filter((p, i) => p === truth[i]).length / truth.length;
}

test("the sweep's smoothed loss falls then rises, the valley lies between 1e-5 and 1, the same seed gives the same curve, and nothing is left fitted or held", async () => {
  await useBackend();
  const { rows, labels } = separable(500, 3);
  const estimator = new DenseClassifier({ seed: 4 });
  const before = tf.memory().numTensors;
  const result = await findLearningRate(estimator, rows, labels);
  assert.equal(tf.memory().numTensors, before, "the sweep frees every tensor it made");
  assert.throws(() => estimator.classes); // the estimator given stays unfitted
  assert.equal(result.rule, "valley");
  assert.ok(result.steps >= 50 && result.steps <= 100, `steps: ${result.steps}`);
  const losses = result.points.map((p) => p.loss);
  const lowest = losses.indexOf(Math.min(...losses));
  assert.ok(lowest > 0 && lowest < losses.length - 1, "the minimum lies inside the sweep");
  assert.ok(losses[lowest] < losses[0] * 0.9, `the loss falls: ${losses[0]} → ${losses[lowest]}`);
  assert.ok(losses[losses.length - 1] > losses[lowest] * 1.5, "and rises again at the largest rates");
  for (let i = 1; i < result.points.length; i++) assert.ok(result.points[i].lr > result.points[i - 1].lr);
  assert.ok(result.points[0].lr >= 1e-7 && result.points[0].lr < 2e-7);
  assert.ok(result.suggested > 1e-5 && result.suggested < 1, `suggested ${result.suggested}`);
  assert.deepEqual(await findLearningRate(estimator, rows, labels), result, "same data and seed, same curve");
  const other = await findLearningRate(new DenseClassifier({ seed: 5 }), rows, labels);
  assert.notDeepEqual(other.points, result.points, "another seed, another curve");
});

test("a fit at the suggested rate is at least as accurate as one at the default rate", async () => {
  await useBackend();
  const train = separable(500, 3);
  const held = separable(300, 9);
  const { suggested } = await findLearningRate(new DenseClassifier({ seed: 4 }), train.rows, train.labels);
  const scores: number[] = [];
  for (const learningRate of [suggested, undefined]) {
    const model = new DenseClassifier({ seed: 4, learningRate });
    await model.fit(train.rows, train.labels);
    scores.push(accuracy((await model.predict(held.rows)).map(String), held.labels));
    model.dispose();
  }
  assert.ok(scores[0] >= scores[1], `suggested ${suggested}: ${scores[0]}; default: ${scores[1]}`);
});

test('learningRate "auto" sweeps first, records the chosen rate in the fit summary, and keeps it through save and load', async (t) => {
  await useBackend();
  const { rows, labels } = separable(400, 6);
  const swept = await findLearningRate(new DenseClassifier({ seed: 2 }), rows, labels);
  const model = new DenseClassifier({ seed: 2, learningRate: "auto", epochs: 20 });
  await model.fit(rows, labels);
  assert.deepEqual(model.fitSummary?.learningRate, {
    chosen: swept.suggested,
    rule: "valley",
    points: swept.points,
  });
  assert.equal(model.getParams().learningRate, "auto");
  const dir = join(tempDir(t, "strata-lr-"), "model");
  await model.save(dir);
  const loaded = await loadTableClassifier(dir);
  assert.deepEqual(loaded.fitSummary?.learningRate, model.fitSummary?.learningRate);
  assert.deepEqual(await loaded.predict(rows.slice(0, 20)), await model.predict(rows.slice(0, 20)));
  loaded.dispose();
  model.dispose();
  const plain = new DenseClassifier({ seed: 2, epochs: 2 });
  await plain.fit(rows, labels);
  assert.equal(plain.fitSummary?.learningRate, undefined, "a numeric rate records no choice");
  plain.dispose();
  assert.throws(() => new DenseClassifier({ learningRate: 0 }), /learningRate must be > 0 or "auto", got 0/);
});

test("image networks sweep too: a CNN on its images, transfer on the head over its backbone's features", async () => {
  await useBackend();
  const cifar = sharedData("cifar10_jpg_subset/train");
  const x: string[] = [];
  const y: string[] = [];
  for (const c of ["cat", "ship"])
    for (const f of readdirSync(join(cifar, c)).sort().slice(0, 40)) {
      x.push(join(cifar, c, f));
      y.push(c);
    }
  const before = tf.memory().numTensors;
  const cnn = await findLearningRate(
    new CnnClassifier({ size: [16, 16], batchSize: 8, augment: null }),
    x,
    y,
  );
  assert.ok(cnn.steps > 20 && cnn.suggested > 1e-6 && cnn.suggested < 10, JSON.stringify(cnn.suggested));
  const transfer = await findLearningRate(smallTransfer({ batchSize: 4 }), x, y);
  assert.ok(transfer.steps > 20 && transfer.suggested > 1e-6 && transfer.suggested < 10);
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
});

test("the valley rule takes the point two thirds down the longest descent", () => {
  // Flat, then a steady fall over rates 1e-4..1e-1 (points 10..40), then a rise.
  const points = Array.from({ length: 60 }, (_, i) => ({
    lr: 1e-7 * 10 ** (i / 7.5),
    loss: i < 10 ? 1 : i <= 40 ? 1 - (i - 9) * 0.02 : 0.4 + (i - 40) * 0.1,
  }));
  const { suggested, rule } = valleySuggestion(points);
  assert.equal(rule, "valley");
  const at = points.findIndex((p) => p.lr === suggested);
  assert.ok(at >= 22 && at <= 32, `the suggestion is point ${at}`);
});

test("strata lr-find writes lr-find.svg and lr-find.json with --out, prints the object with --json, and refuses a folder it did not write", (t) => {
  const dir = tempDir(t);
  const { rows, labels } = separable(300, 1);
  writeCsv(dir, "sep.csv", ["a,b,c,label", ...rows.map((r, i) => `${r.join(",")},${labels[i]}`)]);
  const r = runCli(["lr-find", "sep.csv", "--out", "sweep", "--json", "--seed", "1"], dir);
  assert.equal(r.status, 0, r.stderr);
  const json = lastJson(r.stdout);
  assert.equal(json.rule, "valley");
  assert.ok(typeof json.suggested === "number" && json.suggested > 1e-5 && json.suggested < 1);
  assert.ok(Array.isArray(json.points) && json.points.length > 20);
  const saved = JSON.parse(readFileSync(join(dir, "sweep", "lr-find.json"), "utf8"));
  assert.ok(Math.abs(saved.suggested / json.suggested - 1) < 1e-5, "the file holds what --json printed");
  assert.equal(saved.points.length, json.points.length);
  const svg = readFileSync(join(dir, "sweep", "lr-find.svg"), "utf8");
  assert.match(svg, /^<svg/);
  assert.match(svg, /learning rate \(log scale\)/);
  // Run again into the same folder: strata wrote it, so it is replaced.
  const again = runCli(["lr-find", "sep.csv", "--out", "sweep", "--quiet", "--seed", "1"], dir);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /suggested learning rate: \S+ \(\d+ steps; valley/);
  assert.match(again.stdout, /▲/);
  mkdirSync(join(dir, "mine"));
  writeFileSync(join(dir, "mine", "notes.txt"), "mine\n");
  assertUserError(runCli(["lr-find", "sep.csv", "--out", "mine"], dir), ["--out mine", "notes.txt"]);
  assert.ok(existsSync(join(dir, "mine", "notes.txt")));
  assertUserError(runCli(["lr-find", "sep.csv", "--model", "xgboost"], dir), ["lr-find", "xgboost"]);
});

test("strata fit --lr auto says which rate it chose, and --json gives it", (t) => {
  const dir = tempDir(t);
  const { rows, labels } = separable(300, 1);
  writeCsv(dir, "sep.csv", ["a,b,c,label", ...rows.map((r, i) => `${r.join(",")},${labels[i]}`)]);
  const r = runCli(["fit", "sep.csv", "--lr", "auto", "--epochs", "5", "--out", "m"], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /note: --lr auto: a learning-rate sweep chose \S+ \(valley rule\)/);
  // The report shows the sweep that chose it.
  const report = readFileSync(join(dir, "m", "report.html"), "utf8");
  assert.match(report, /data-section="lr-find"/);
  assert.match(report, /data-chart="lr-find"/);
  const json = lastJson(runCli(["fit", "sep.csv", "--lr", "auto", "--epochs", "5", "--json"], dir).stdout);
  const chosen = json.learningRate as { chosen: number; rule: string };
  assert.equal(chosen.rule, "valley");
  assert.ok(chosen.chosen > 1e-5 && chosen.chosen < 1);
  assert.equal((json.params as Record<string, unknown>).learningRate, "auto");
  assert.deepEqual(
    Object.keys(chosen),
    ["chosen", "rule"],
    "--json says what was chosen; the curve is the report's",
  );
});
