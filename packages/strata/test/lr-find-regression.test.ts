/**
 * The learning-rate finder for regressors (issue 24): the sweep trains with the regressor's own
 * loss (MSE or Huber on the standardised target), `learningRate: "auto"` on a DenseRegressor and
 * an image regressor (the chosen rate in the fit summary, kept through save and load), and
 * `strata lr-find` / `strata fit --lr auto` on a numeric target. Data: red wine quality (Cortez
 * et al. 2009, UCI; shared/data/wine_quality), its 0–10 quality score as a number.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { readCsv } from "../src/data/csv.js";
import { CnnRegressor } from "../src/estimators/cnn-regressor.js";
import { DenseRegressor } from "../src/estimators/dense-regressor.js";
import { loadRegressor } from "../src/estimators/load-regressor.js";
import { regressionReport } from "../src/metrics/regression.js";
import { holdoutSplit } from "../src/split/holdout.js";
import type { LrFindResult } from "../src/train/lr-find.js";
import { findRegressionLearningRate } from "../src/workflow/lr-find.js";
import { assertUserError, lastJson, runCli, tempDir } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";

const RED = sharedData("wine_quality/winequality-red.csv");

/** Red wine's 11 numeric columns and its quality score (1,599 rows). */
function redWine(): { x: number[][]; y: number[] } {
  const rows = readCsv(RED).rows.map((r) => r.map(Number));
  return { x: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]) };
}

/**
 * The sweep's shape: from one epoch in (rate 1e-4, where the smoothed loss is the untrained
 * network's and no longer one batch's noise) the loss falls to a minimum and rises after it.
 */
function shape(result: LrFindResult) {
  const losses = result.points.map((p) => p.loss);
  const start = result.points.findIndex((p) => p.lr >= 1e-4);
  let lowest = start;
  for (let i = start; i < losses.length; i++) if (losses[i] < losses[lowest]) lowest = i;
  return { losses, start, lowest };
}

test("on red wine the MSE sweep falls then rises, the suggestion lies where it falls, the same seed gives the same curve, and nothing is left fitted or held", async () => {
  await useBackend();
  const { x, y } = redWine();
  const regressor = new DenseRegressor({ seed: 1 });
  const before = tf.memory().numTensors;
  const result = await findRegressionLearningRate(regressor, x, y);
  assert.equal(tf.memory().numTensors, before, "the sweep frees every tensor it made");
  assert.equal(regressor.fitSummary, undefined, "the regressor given stays unfitted");
  assert.equal(result.rule, "valley");
  assert.ok(result.steps >= 50 && result.steps <= 100, `steps: ${result.steps}`);
  for (let i = 1; i < result.points.length; i++) assert.ok(result.points[i].lr > result.points[i - 1].lr);
  const { losses, start, lowest } = shape(result);
  const at = (i: number) => `${losses[i].toFixed(3)} at ${result.points[i].lr.toExponential(1)}`;
  assert.ok(lowest > start && lowest < losses.length - 1, `the minimum lies inside the sweep: ${at(lowest)}`);
  assert.ok(losses[lowest] < 0.95 * losses[start], `the loss falls: ${at(start)} → ${at(lowest)}`);
  assert.ok(losses[losses.length - 1] > 1.5 * losses[lowest], `and rises: → ${at(losses.length - 1)}`);
  const { suggested } = result;
  assert.ok(
    suggested >= result.points[start].lr && suggested <= result.points[lowest].lr,
    `suggested ${suggested} lies in the fall, ${result.points[start].lr} to ${result.points[lowest].lr}`,
  );
  assert.deepEqual(
    await findRegressionLearningRate(regressor, x, y),
    result,
    "same data and seed, same curve",
  );
  const other = await findRegressionLearningRate(new DenseRegressor({ seed: 2 }), x, y);
  assert.notDeepEqual(other.points, result.points, "another seed, another curve");
});

test("the sweep trains the regressor's own loss: Huber's with a huge delta is half the squared error, with delta 1 below it", async () => {
  await useBackend();
  const { x, y } = redWine();
  // No L2 penalty: the loss is the data's alone.
  const sweep = (p: ConstructorParameters<typeof DenseRegressor>[0]) =>
    findRegressionLearningRate(new DenseRegressor({ seed: 3, l2: 0, ...p }), x, y);
  const mse = await sweep({});
  const halfSquare = await sweep({ loss: "huber", huberDelta: 1e6 });
  const huber = await sweep({ loss: "huber", huberDelta: 1 });
  // The first point is the first batch's loss at the same initial weights.
  const [m, h, d] = [mse.points[0].loss, halfSquare.points[0].loss, huber.points[0].loss];
  assert.ok(Math.abs(h / m - 0.5) < 1e-5, `Huber (delta 1e6) ${h} vs MSE ${m}`);
  assert.ok(d < h, `Huber (delta 1) ${d} is below half the squared error ${h}`);
  assert.ok(huber.suggested > 1e-6 && huber.suggested < 1, `Huber's suggestion ${huber.suggested}`);
});

test('learningRate "auto" on a DenseRegressor sweeps first, records the rate in the fit summary (kept through save and load), and beats the mean on held-out wines', async (t) => {
  await useBackend();
  const { x, y } = redWine();
  const { train, test: held } = holdoutSplit(y.length, { testSize: 0.2, seed: 0 });
  const xTrain = train.map((i) => x[i]);
  const yTrain = train.map((i) => y[i]);
  const swept = await findRegressionLearningRate(new DenseRegressor({ seed: 2 }), xTrain, yTrain);
  const model = new DenseRegressor({ seed: 2, learningRate: "auto" });
  await model.fit(xTrain, yTrain);
  assert.deepEqual(model.fitSummary?.learningRate, {
    chosen: swept.suggested,
    rule: "valley",
    points: swept.points,
  });
  assert.equal(model.getParams().learningRate, "auto");
  const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
  const report = regressionReport(
    held.map((i) => y[i]),
    await model.predict(held.map((i) => x[i])),
    mean,
  );
  t.diagnostic(
    `rate ${swept.suggested.toPrecision(2)}: RMSE ${report.rmse.toFixed(3)}, the mean's ${report.baseline.rmse.toFixed(3)}`,
  );
  assert.ok(
    report.rmse < 0.9 * report.baseline.rmse,
    `RMSE ${report.rmse} vs the mean's ${report.baseline.rmse}`,
  );
  const dir = join(tempDir(t, "strata-lr-regression-"), "model");
  await model.save(dir);
  const loaded = await loadRegressor(dir);
  assert.deepEqual(loaded.fitSummary?.learningRate, model.fitSummary?.learningRate);
  assert.deepEqual(await loaded.predict(x.slice(0, 20)), await model.predict(x.slice(0, 20)));
  loaded.dispose();
  model.dispose();
  const plain = new DenseRegressor({ seed: 2, epochs: 2 });
  await plain.fit(xTrain, yTrain);
  assert.equal(plain.fitSummary?.learningRate, undefined, "a numeric rate records no choice");
  plain.dispose();
  assert.throws(() => new DenseRegressor({ learningRate: 0 }), /learningRate must be > 0 or "auto", got 0/);
});

test('an image regressor sweeps with its loss too, and "auto" records the rate', async () => {
  await useBackend();
  // CIFAR-10 cats (0) and ships (1) as numbers: a CNN regressor on 16×16 pixels.
  const cifar = sharedData("cifar10_jpg_subset/train");
  const x: string[] = [];
  const y: number[] = [];
  for (const [c, value] of [
    ["cat", 0],
    ["ship", 1],
  ] as const)
    for (const f of readdirSync(join(cifar, c)).sort().slice(0, 32)) {
      x.push(join(cifar, c, f));
      y.push(value);
    }
  const params = { size: [16, 16] as [number, number], batchSize: 8, augment: null, seed: 1 };
  const before = tf.memory().numTensors;
  const swept = await findRegressionLearningRate(new CnnRegressor(params), x, y);
  assert.ok(swept.steps > 20 && swept.suggested > 1e-6 && swept.suggested < 10, `${swept.suggested}`);
  assert.equal(tf.memory().numTensors, before, "no tensor left behind");
  const model = new CnnRegressor({ ...params, learningRate: "auto", epochs: 1 });
  await model.fit(x, y);
  assert.equal(model.fitSummary?.learningRate?.chosen, swept.suggested);
  model.dispose();
});

test("strata lr-find on a numeric target sweeps fit's training rows with the regressor's loss, and fit --lr auto chooses that rate, records it and beats the mean", (t) => {
  const dir = tempDir(t);
  cpSync(RED, join(dir, "red.csv"));
  const task = ["--target", "quality", "--task", "regression"];
  const r = runCli(["lr-find", "red.csv", ...task, "--out", "sweep"], dir);
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stderr,
    /sweeping on 1279 training rows \(fit's split, seed 0; mse loss on the standardised target\)/,
  );
  assert.match(r.stdout, /suggested learning rate: \S+ \(\d+ steps; valley/);
  assert.match(r.stdout, /▲/);
  const saved = JSON.parse(readFileSync(join(dir, "sweep", "lr-find.json"), "utf8"));
  assert.equal(saved.rule, "valley");
  assert.ok(saved.suggested > 1e-5 && saved.suggested < 1, `suggested ${saved.suggested}`);
  assert.match(readFileSync(join(dir, "sweep", "lr-find.svg"), "utf8"), /^<svg/);

  const fit = runCli(["fit", "red.csv", ...task, "--lr", "auto", "--json", "--out", "m"], dir);
  assert.equal(fit.status, 0, fit.stderr);
  const json = lastJson(fit.stdout);
  assert.equal(json.task, "regression");
  const chosen = json.learningRate as { chosen: number; rule: string };
  assert.deepEqual(Object.keys(chosen), ["chosen", "rule"]);
  assert.equal(chosen.rule, "valley");
  assert.ok(
    Math.abs(chosen.chosen / saved.suggested - 1) < 1e-4,
    "fit's sweep is lr-find's: the same split and seed",
  );
  assert.equal((json.params as Record<string, unknown>).learningRate, "auto");
  const baseline = json.baseline as { rmse: number };
  assert.ok((json.rmse as number) < 0.9 * baseline.rmse, `RMSE ${json.rmse} vs the mean's ${baseline.rmse}`);
  // The report shows the sweep that chose the rate.
  const report = readFileSync(join(dir, "m", "report.html"), "utf8");
  assert.match(report, /data-section="lr-find"/);
  assert.match(report, /data-chart="lr-find"/);

  // --loss huber: the sweep trains Huber's loss, as the fit would.
  const huber = runCli(["lr-find", "red.csv", ...task, "--loss", "huber"], dir);
  assert.equal(huber.status, 0, huber.stderr);
  assert.match(huber.stderr, /seed 0; huber loss on the standardised target\)/);

  // Not a network: nothing to sweep.
  assertUserError(runCli(["lr-find", "red.csv", ...task, "--model", "xgboost"], dir), ["lr-find", "xgboost"]);
});

test("strata lr-find on an image folder with numbers is refused in one line, pointing to fit --lr auto", (t) => {
  const dir = tempDir(t);
  const cats = sharedData("cifar10_jpg_subset/train/cat");
  mkdirSync(join(dir, "imgs"));
  const files = readdirSync(cats).sort().slice(0, 12);
  for (const f of files) cpSync(join(cats, f), join(dir, "imgs", f));
  // Each image's number: its file's size in bytes.
  const sizes = files.map((f) => `${f},${statSync(join(cats, f)).size}`);
  writeFileSync(join(dir, "imgs", "labels.csv"), ["file,bytes", ...sizes].join("\n"));
  assertUserError(runCli(["lr-find", "imgs"], dir), ["lr-find", "numbers", "labels.csv", "--lr auto"]);
});
