import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Frame } from "../src/data/frame.js";
import { loadRegressor } from "../src/estimators/load-regressor.js";
import type { Regressor } from "../src/estimators/regressor.js";
import { RidgeRegressor } from "../src/estimators/ridge.js";
import { XGBoostRegressor } from "../src/estimators/xgboost-regressor.js";
import { regressionReport } from "../src/metrics/regression.js";
import { holdoutSplit } from "../src/split/holdout.js";
import { noXGBoost } from "./helpers/addons.js";
import { sharedData } from "./helpers/data.js";
import { linearTable } from "./helpers/regression-tables.js";

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "strata-regressors-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Red wine (1,599 rows, 11 numeric columns) as rows of numbers, quality as the target. */
function redWine(): { x: number[][]; y: number[] } {
  const lines = readFileSync(sharedData("wine_quality/winequality-red.csv"), "utf8").trim().split("\n");
  const rows = lines.slice(1).map((l) => l.split(",").map(Number));
  return { x: rows.map((r) => r.slice(0, -1)), y: rows.map((r) => r[r.length - 1]) };
}

/** Fits on a seeded 80%, scores the held-out 20% against the training mean. */
async function holdOut<X>(
  model: Regressor<X>,
  data: { x: X; y: readonly number[] },
  take: (x: X, idx: readonly number[]) => X,
) {
  const { train, test } = holdoutSplit(data.y.length, { testSize: 0.2, seed: 0 });
  const yTrain = train.map((i) => data.y[i]);
  await model.fit(take(data.x, train), yTrain);
  const predicted = await model.predict(take(data.x, test));
  const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
  const report = regressionReport(
    test.map((i) => data.y[i]),
    predicted,
    mean,
  );
  model.dispose();
  return report;
}

const takeRows = (x: number[][], idx: readonly number[]) => idx.map((i) => x[i]);
const takeFrame = (x: Frame, idx: readonly number[]) => x.take(idx);

describe("RidgeRegressor", () => {
  test("beats the training mean clearly: synthetic y = 3·x0 − 2·x1 + noise, and red wine quality", async () => {
    const synth = await holdOut(new RidgeRegressor(), linearTable(600, 2), takeFrame);
    assert.ok(synth.r2 > 0.9, `synthetic R² ${synth.r2}`);
    assert.ok(
      synth.rmse < 0.4 * synth.baseline.rmse,
      `synthetic RMSE ${synth.rmse} vs ${synth.baseline.rmse}`,
    );
    const wine = await holdOut(new RidgeRegressor(), redWine(), takeRows);
    assert.ok(wine.r2 > 0.25, `wine R² ${wine.r2}`);
    assert.ok(wine.rmse < 0.9 * wine.baseline.rmse, `wine RMSE ${wine.rmse} vs ${wine.baseline.rmse}`);
  });

  test("alpha 0 on one-hot columns with an intercept is refused, saying why", async () => {
    const { x, y } = linearTable(50, 3);
    await assert.rejects(
      new RidgeRegressor({ alpha: 0 }).fit(x, y),
      /RidgeRegressor: alpha 0 leaves the preprocessed columns without a single solution/,
    );
  });
});

describe("XGBoostRegressor", { skip: noXGBoost }, () => {
  test("beats the training mean clearly: synthetic y = 3·x0 − 2·x1 + noise, and red wine quality", async () => {
    const synth = await holdOut(new XGBoostRegressor(), linearTable(600, 2), takeFrame);
    assert.ok(synth.r2 > 0.85, `synthetic R² ${synth.r2}`);
    const wine = await holdOut(new XGBoostRegressor(), redWine(), takeRows);
    assert.ok(wine.r2 > 0.3, `wine R² ${wine.r2}`);
    assert.ok(wine.rmse < 0.85 * wine.baseline.rmse, `wine RMSE ${wine.rmse} vs ${wine.baseline.rmse}`);
  });
});

describe("XGBoostRegressor's fit", { skip: noXGBoost }, () => {
  test("stops early on the validation MSE, its history the per-round losses, the best round predicting", async () => {
    const { x, y } = linearTable(400, 6);
    const model = await new XGBoostRegressor({ learningRate: 0.3, earlyStoppingRounds: 10 }).fit(x, y);
    const summary = model.fitSummary!;
    const history = summary.history!;
    assert.equal(history.length, summary.epochsRun);
    assert.ok(summary.epochsRun < 1000, "stopped early");
    assert.equal(summary.epochsRun, summary.bestEpoch + 10);
    const valLoss = history.map((h) => h.valLoss!);
    assert.equal(valLoss.indexOf(Math.min(...valLoss)), summary.bestEpoch - 1, "the best round is kept");
    assert.ok(history[history.length - 1].loss < history[0].loss / 5, "the training loss falls");
    assert.ok(Number.isNaN(history[0].accuracy), "a regressor has no accuracy");
    assert.equal(model.booster.rounds, summary.bestEpoch);
    model.dispose();
  });
});

test("loadRegressor refuses a classifier's directory and a kind it does not know", async () => {
  const classifier = join(dir, "classifier");
  const strange = join(dir, "strange");
  for (const [d, manifest] of [
    [classifier, { format: 1, kind: "logistic", input: "table", params: {}, classes: ["a", "b"], files: [] }],
    [
      strange,
      { format: 1, kind: "lasso", input: "table", task: "regression", params: {}, classes: [], files: [] },
    ],
  ] as const) {
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "strata.json"), JSON.stringify(manifest));
  }
  await assert.rejects(loadRegressor(classifier), /holds a classifier \(logistic\), not a regressor/);
  await assert.rejects(
    loadRegressor(strange),
    /unknown regressor kind "lasso" in strata\.json; this strata reads: dense-regressor, xgboost-regressor, ridge, vote-regressor, stack-regressor/,
  );
  await assert.rejects(loadRegressor(join(dir, "absent")), /model directory not found/);
});

/*
 * scikit-learn's Ridge on the matrix strata's preprocessing makes of red wine (all 1,599 rows,
 * standardised), computed once with scikit-learn 1.2.1 (Debian's python3):
 *   X = np.fromfile("x.f32", "<f4").reshape(1599, 11).astype(np.float64)  # preprocessor.transform(rows).x
 *   Ridge(alpha=1.0).fit(X, quality).coef_, .intercept_
 *   Ridge(alpha=10.0, fit_intercept=False).fit(X, quality).coef_
 */
const SKLEARN_WINE_RIDGE = {
  coef: [
    0.043785941058379164, -0.19378888821074713, -0.03527887505954239, 0.02312489768666828, -0.088140678366978,
    0.04550353059971483, -0.1072671623685871, -0.03416079726730071, -0.06353343400936566, 0.15523486591795704,
    0.2938290640914663,
  ],
  intercept: 5.636022513096368,
  firstPredictions: [5.033027013263679, 5.137744846963416, 5.209814357100191],
  noInterceptAlpha10: [
    0.04604820400267501, -0.1922298398445473, -0.03285768840038794, 0.02397066911545833, -0.08777151234950832,
    0.04461096594615224, -0.10649669462431953, -0.0376259949777392, -0.06096063961978154, 0.1548196832481803,
    0.2903189960395356,
  ],
};

const within = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 1e-6) => {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++)
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance,
      `${what}[${i}]: ${actual[i]}, scikit-learn ${expected[i]}`,
    );
};

test("RidgeRegressor matches scikit-learn's Ridge on red wine's standardised columns within 1e-6", async () => {
  const wine = redWine();
  const model = await new RidgeRegressor().fit(wine.x, wine.y);
  const { coef, intercept } = model.coefficients;
  within(coef, SKLEARN_WINE_RIDGE.coef, "coef");
  within([intercept], [SKLEARN_WINE_RIDGE.intercept], "intercept");
  within(await model.predict(wine.x.slice(0, 3)), SKLEARN_WINE_RIDGE.firstPredictions, "predictions");
  model.dispose();
  const plain = await new RidgeRegressor({ alpha: 10, fitIntercept: false }).fit(wine.x, wine.y);
  within(plain.coefficients.coef, SKLEARN_WINE_RIDGE.noInterceptAlpha10, "coef without an intercept");
  assert.equal(plain.coefficients.intercept, 0);
  plain.dispose();
});

/** A Python with scikit-learn (Debian's python3-sklearn), or undefined. */
function sklearnPython(): string | undefined {
  for (const python of [process.env.PYTHON, "python3", "/usr/bin/python3"]) {
    if (!python) continue;
    if (spawnSync(python, ["-c", "import sklearn"], { encoding: "utf8" }).status === 0) return python;
  }
  return undefined;
}

const python = sklearnPython();

const RIDGE_SCRIPT = `
import json, sys
import numpy as np
from sklearn.linear_model import Ridge
folder, rows, cols, alpha, intercept = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "1"
X = np.fromfile(folder + "/x.f32", "<f4").reshape(rows, cols).astype(np.float64)
y = np.fromfile(folder + "/y.f64", "<f8")
model = Ridge(alpha=alpha, fit_intercept=intercept).fit(X, y)
json.dump({"coef": model.coef_.tolist(), "intercept": float(model.intercept_), "predictions": model.predict(X).tolist()}, open(folder + "/out.json", "w"))
`;

test("RidgeRegressor matches scikit-learn run now, one-hot columns included (when python3 has scikit-learn)", {
  skip: python ? false : "no python3 with scikit-learn (apt-get install python3-sklearn)",
}, async () => {
  const { x, y } = linearTable(300, 5);
  for (const params of [
    { alpha: 0.5 },
    { alpha: 3, fitIntercept: false },
    { alpha: 1, standardize: false },
  ]) {
    const model = await new RidgeRegressor(params).fit(x, y);
    const matrix = model.preprocessor.transform(x).x;
    const work = mkdtempSync(join(dir, "sklearn-"));
    writeFileSync(join(work, "x.f32"), matrix.data);
    writeFileSync(join(work, "y.f64"), Float64Array.from(y));
    const args = [
      String(matrix.rows),
      String(matrix.cols),
      String(params.alpha),
      params.fitIntercept === false ? "0" : "1",
    ];
    const run = spawnSync(python!, ["-c", RIDGE_SCRIPT, work, ...args], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const theirs = JSON.parse(readFileSync(join(work, "out.json"), "utf8"));
    const what = JSON.stringify(params);
    within(model.coefficients.coef, theirs.coef, `${what} coef`);
    within([model.coefficients.intercept], [theirs.intercept], `${what} intercept`);
    within(await model.predict(x), theirs.predictions, `${what} predictions`);
    model.dispose();
  }
});

test("plain object rows: categories one-hot, and a row missing a column is named at predict", async () => {
  const rows = Array.from({ length: 40 }, (_, i) => ({ size: i % 10, city: ["Oslo", "Lima"][i % 2] }));
  const y = rows.map((r) => 2 * r.size + (r.city === "Oslo" ? 5 : 0));
  const model = await new RidgeRegressor({ alpha: 1e-6 }).fit(rows, y);
  assert.deepEqual(model.inputColumns, [
    { name: "size", kind: "numeric" },
    { name: "city", kind: "categorical" },
  ]);
  const [oslo, lima] = await model.predict([
    { size: 3, city: "Oslo" },
    { size: 3, city: "Lima" },
  ]);
  assert.ok(Math.abs(oslo - 11) < 1e-4 && Math.abs(lima - 6) < 1e-4, `${oslo}, ${lima}`);
  await assert.rejects(model.predict([{ size: 3 }] as never), /rows\[0\], column "city"/);
  model.dispose();
});
