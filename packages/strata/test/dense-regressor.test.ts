import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readCsv } from "../src/data/csv.js";
import { Frame } from "../src/data/frame.js";
import { DenseRegressor, type DenseRegressorParams, TARGET_JSON } from "../src/estimators/dense-regressor.js";
import { loadRegressor } from "../src/estimators/load-regressor.js";
import { regressionReport } from "../src/metrics/regression.js";
import { holdoutSplit } from "../src/split/holdout.js";
import { Rng } from "../src/util/random.js";
import { sharedData } from "./helpers/data.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "strata-dense-regressor-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** y = scale·(3·x0 − 2·x1 + noise) + shift, noise of sd `noise`, with a category column that does not matter. */
function linear(n: number, seed: number, options: { noise?: number; scale?: number; shift?: number } = {}) {
  const { noise = 0.5, scale = 1, shift = 0 } = options;
  const rng = new Rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const x0: number[] = [];
  const x1: number[] = [];
  const colour: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    x0.push(normal());
    x1.push(normal());
    colour.push(["red", "green", "blue"][rng.int(3)]);
    y.push(scale * (3 * x0[i] - 2 * x1[i] + noise * normal()) + shift);
  }
  return { x: Frame.fromColumns({ x0, x1, colour }), y };
}

/** Red wine (1,599 rows, 11 numeric columns) through the CSV reader, quality as the target. */
function redWine(): { x: number[][]; y: number[] } {
  const table = readCsv(sharedData("wine_quality/winequality-red.csv"));
  const rows = table.rows.map((r) => r.map(Number));
  return { x: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]) };
}

/** Fits on a seeded 80%, scores the held-out 20% (against the training mean too). */
async function holdOut<X>(
  model: DenseRegressor,
  data: { x: X; y: readonly number[] },
  take: (x: X, idx: readonly number[]) => Frame | number[][],
) {
  const { train, test } = holdoutSplit(data.y.length, { testSize: 0.2, seed: 0 });
  const yTrain = train.map((i) => data.y[i]);
  await model.fit(take(data.x, train), yTrain);
  const predicted = await model.predict(take(data.x, test));
  const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
  return regressionReport(
    test.map((i) => data.y[i]),
    predicted,
    mean,
  );
}

const takeFrame = (x: Frame, idx: readonly number[]) => x.take(idx);
const takeRows = (x: number[][], idx: readonly number[]) => idx.map((i) => x[i]);
/** Small and quick: what the contract's case and the save test train. */
const SMALL: Partial<DenseRegressorParams> = {
  hiddenUnits: [16],
  epochs: 60,
  learningRate: 0.01,
  patience: 10,
};

test("y = 3·x0 − 2·x1 + noise (sd 0.5): held-out RMSE close to the noise", async (t) => {
  const report = await holdOut(new DenseRegressor(), linear(1000, 2), takeFrame);
  t.diagnostic(
    `held-out RMSE ${report.rmse.toFixed(4)}, R² ${report.r2.toFixed(4)} (the mean's RMSE ${report.baseline.rmse.toFixed(4)})`,
  );
  assert.ok(
    report.rmse < 0.65,
    `held-out RMSE ${report.rmse} (noise 0.5, the mean's ${report.baseline.rmse})`,
  );
  assert.ok(report.r2 > 0.95, `held-out R² ${report.r2}`);
});

test("the target is standardised: the same fit on y·10⁶ + 5·10⁸ predicts the same in those units", async (t) => {
  const params = { ...SMALL, validationFraction: 0 };
  const plain = await holdOut(new DenseRegressor(params), linear(400, 3), takeFrame);
  const model = new DenseRegressor(params);
  const big = linear(400, 3, { scale: 1e6, shift: 5e8 });
  const report = await holdOut(model, big, takeFrame);
  t.diagnostic(`held-out RMSE ${(report.rmse / 1e6).toFixed(4)}·10⁶ scaled, ${plain.rmse.toFixed(4)} plain`);
  assert.ok(
    Math.abs(report.rmse / 1e6 - plain.rmse) < 0.01 * plain.rmse,
    `RMSE ${report.rmse / 1e6}·10⁶ against ${plain.rmse} unscaled`,
  );
  // The scaling is the training rows' mean and (population) standard deviation.
  const { train } = holdoutSplit(400, { testSize: 0.2, seed: 0 });
  const y = train.map((i) => big.y[i]);
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const std = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length);
  assert.ok(Math.abs(model.targetScaling.mean - mean) < 1e-6 * Math.abs(mean));
  assert.ok(Math.abs(model.targetScaling.std - std) < 1e-9 * std);
  model.dispose();
});

test("red wine quality: beats the training mean on held-out rows", async (t) => {
  const report = await holdOut(new DenseRegressor(), redWine(), takeRows);
  t.diagnostic(
    `held-out RMSE ${report.rmse.toFixed(4)}, R² ${report.r2.toFixed(4)} (the mean's RMSE ${report.baseline.rmse.toFixed(4)})`,
  );
  assert.ok(
    report.rmse < 0.9 * report.baseline.rmse,
    `RMSE ${report.rmse} vs the mean's ${report.baseline.rmse}`,
  );
  assert.ok(report.r2 > 0.2, `R² ${report.r2}`);
});

test("huber: outliers in the training target pull it less than squared error", async (t) => {
  const data = linear(600, 4);
  // Every 10th training row's target is off by 30 (60 standard deviations of the noise).
  const dirty = { x: data.x, y: data.y.map((v, i) => (i % 10 === 3 ? v + 30 : v)) };
  const { train, test } = holdoutSplit(600, { testSize: 0.2, seed: 0 });
  const clean = test.map((i) => data.y[i]);
  const scores: Record<string, number> = {};
  for (const loss of ["mse", "huber"] as const) {
    const model = new DenseRegressor({ loss, validationFraction: 0, epochs: 80 });
    await model.fit(
      data.x.take(train),
      train.map((i) => dirty.y[i]),
    );
    const predicted = await model.predict(data.x.take(test));
    scores[loss] = regressionReport(clean, predicted, 0).mae;
    model.dispose();
  }
  t.diagnostic(
    `held-out MAE on the clean target: huber ${scores.huber.toFixed(4)}, mse ${scores.mse.toFixed(4)}`,
  );
  assert.ok(scores.huber < 0.8 * scores.mse, `held-out MAE: huber ${scores.huber}, mse ${scores.mse}`);
});

test("save → load: the same predictions, the scaling in target.json; a damaged target.json is refused", async () => {
  const { x, y } = linear(200, 5, { scale: 10, shift: 100 });
  const model = await new DenseRegressor({ ...SMALL, loss: "huber" }).fit(x, y);
  const saved = join(dir, "saved");
  await model.save(saved);
  const loaded = await loadRegressor(saved);
  assert.ok(loaded instanceof DenseRegressor);
  assert.throws(() => new DenseRegressor().summary(), /no network before fit/);
  assert.deepEqual(await loaded.predict(x), await model.predict(x));
  assert.deepEqual(JSON.parse(readFileSync(join(saved, TARGET_JSON), "utf8")), model.targetScaling);
  const { mean, std } = model.targetScaling;
  assert.ok(Math.abs(mean - 100) < 5 && Math.abs(std - 36) < 6, `target mean ${mean}, std ${std}`);
  const summary = loaded.summary();
  assert.ok(
    summary.startsWith(
      `Model: DenseRegressor (dense-regressor), predicting ${mean.toPrecision(4)} + ${std.toPrecision(4)} × output\n`,
    ),
    summary,
  );
  assert.match(summary, /│ output \(Dense\) +│ \(None, 1\) +│/);
  loaded.dispose();
  model.dispose();
  writeFileSync(join(saved, TARGET_JSON), JSON.stringify({ mean: 1, std: 0 }));
  await assert.rejects(
    loadRegressor(saved),
    /target\.json: damaged: expected \{ "mean": number, "std": number above 0 \}/,
  );
});

test("groups: the validation split holds whole groups; the scaling is the fit rows'", async () => {
  // Ten groups of 7 rows; group k's target is 10^k, so the fit rows' target sum shows, digit k,
  // how many of group k's rows were fit on: 7 or 0 when groups are respected.
  const n = 70;
  const rng = new Rng(6);
  const group = Array.from({ length: n }, (_, i) => `g${i % 10}`);
  const y = Array.from({ length: n }, (_, i) => 10 ** (i % 10));
  const x = Frame.fromColumns({ x0: Array.from({ length: n }, () => rng.next()) });
  const fitDigits = async (groups?: string[]) => {
    let samples = 0;
    const model = new DenseRegressor({ ...SMALL, epochs: 2, validationFraction: 0.2 });
    await model.fit(x, y, {
      groups,
      listener: {
        onTrainStart: (info) => {
          samples = info.samples;
        },
      },
    });
    const sum = Math.round(model.targetScaling.mean * samples);
    model.dispose();
    return String(sum).padStart(10, "0").split("").map(Number);
  };
  const grouped = await fitDigits(group);
  assert.ok(
    grouped.every((d) => d === 0 || d === 7),
    `rows fit on per group: ${grouped.join(" ")}`,
  );
  assert.ok(grouped.includes(0), "some group is held out");
  const rows = await fitDigits();
  assert.ok(
    !rows.every((d) => d === 0 || d === 7),
    `without groups, rows of a group on both sides: ${rows.join(" ")}`,
  );
});
