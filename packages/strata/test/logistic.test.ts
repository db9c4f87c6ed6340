import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { LogisticRegression, type LogisticRegressionParams } from "../src/estimators/logistic.js";
import { kFold } from "../src/split/kfold.js";
import { crossValidate } from "../src/workflow/cross-validate.js";
import { loadCsvDataset } from "../src/workflow/dataset.js";
import { sharedData } from "./helpers/data.js";

const pima = loadCsvDataset(sharedData("pima_diabetes/pima-indians-diabetes.csv"), { target: "outcome" });
const wine = loadCsvDataset(sharedData("wine_quality/winequality-red.csv"), { target: "quality" });

// scikit-learn 1.2.1: LogisticRegression().fit(StandardScaler().fit_transform(X), y) on all of Pima.
const SKLEARN_PIMA = {
  coef: [
    0.408646871, 1.107111972, -0.250868039, 0.009050455, -0.130836274, 0.696308717, 0.308837241, 0.176497822,
  ],
  intercept: -0.86678294,
};

function maxDiff(a: readonly number[], b: readonly number[]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i])));
}

test("binary: Pima's coefficients are scikit-learn's (C = 1, L-BFGS)", async () => {
  const model = await new LogisticRegression().fit(pima.frame, pima.y);
  const { coef, intercept, converged, iterations } = model.coefficients;
  assert.equal(coef.length, 1, "two classes: one score, as scikit-learn fits it");
  assert.ok(maxDiff(coef[0], SKLEARN_PIMA.coef) < 1e-6, `coef ${coef[0]}`);
  assert.ok(Math.abs(intercept[0] - SKLEARN_PIMA.intercept) < 1e-6, `intercept ${intercept[0]}`);
  assert.ok(converged);
  assert.equal(model.fitSummary!.epochsRun, iterations);
});

test("Pima 5-fold cross-validation: scikit-learn's 0.7748 within 0.005", async () => {
  const splits = kFold(pima.y.length, { k: 5, seed: 0, stratify: pima.y });
  const cv = await crossValidate(new LogisticRegression(), { x: pima.frame, y: pima.y }, { splits });
  const accuracies = cv.folds.map((f) => f.report.accuracy);
  const mean = accuracies.reduce((a, b) => a + b) / accuracies.length;
  // shared/peers/RESULTS-reference.md (scikit-learn's own folds): 0.7748 ± 0.0247.
  assert.ok(Math.abs(mean - 0.7748) < 0.005, `mean accuracy ${mean}`);
});

test("a smaller C shrinks the coefficients; without an intercept it stays 0", async () => {
  const norm = async (params: Partial<LogisticRegressionParams>) => {
    const { coef, intercept } = (await new LogisticRegression(params).fit(pima.frame, pima.y)).coefficients;
    return { norm: Math.hypot(...coef[0]), intercept: intercept[0] };
  };
  const strong = await norm({ C: 0.001 });
  const weak = await norm({ C: 1 });
  assert.ok(strong.norm < weak.norm / 5, `|w| ${strong.norm} at C = 0.001 vs ${weak.norm} at C = 1`);
  assert.equal((await norm({ fitIntercept: false })).intercept, 0);
});

test("multinomial: one softmax score per class, and maxIter stops a fit short", async () => {
  const model = await new LogisticRegression().fit(wine.frame, wine.y);
  assert.equal(model.coefficients.coef.length, 6);
  assert.equal(model.coefficients.coef[0].length, 11);
  const short = await new LogisticRegression({ maxIter: 2 }).fit(wine.frame, wine.y);
  assert.equal(short.coefficients.iterations, 2);
  assert.equal(short.coefficients.converged, false);
});

/** A Python with scikit-learn (apt-get install python3-sklearn), or undefined. */
function findPython(): string | undefined {
  for (const python of [process.env.PYTHON, "python3", "/usr/bin/python3"]) {
    if (python && spawnSync(python, ["-c", "import sklearn"]).status === 0) return python;
  }
  return undefined;
}

const python = findPython();

// Fits scikit-learn's LogisticRegression on the very matrix strata's preprocessing made, so only
// the optimisers are compared.
const REFERENCE = `
import json, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
out = []
for case in json.load(sys.stdin):
    X, y = np.array(case["x"]), np.array(case["y"])
    m = LogisticRegression(max_iter=1000, **case["params"]).fit(X, y)
    out.append({"coef": m.coef_.tolist(), "intercept": m.intercept_.tolist(), "predict": m.predict(X).tolist()})
print(json.dumps(out))
`;

test("scikit-learn fits the same models: multinomial, balanced class weights, other C, no intercept", {
  skip: python ? false : "scikit-learn is not installed (apt-get install python3-sklearn)",
}, async () => {
  const cases: { data: typeof pima; params: Partial<LogisticRegressionParams>; sklearn: object }[] = [
    { data: wine, params: {}, sklearn: {} },
    { data: pima, params: { classWeight: "balanced" }, sklearn: { class_weight: "balanced" } },
    { data: wine, params: { C: 0.05 }, sklearn: { C: 0.05 } },
    { data: pima, params: { fitIntercept: false }, sklearn: { fit_intercept: false } },
  ];
  const models = await Promise.all(
    cases.map((c) => new LogisticRegression(c.params).fit(c.data.frame, c.data.y)),
  );
  const input = cases.map((c, i) => {
    const x = models[i].preprocessor.transform(c.data.frame).x;
    return {
      x: Array.from({ length: x.rows }, (_, r) => Array.from(x.data.subarray(r * x.cols, (r + 1) * x.cols))),
      y: c.data.y,
      params: c.sklearn,
    };
  });
  const run = spawnSync(python!, ["-c", REFERENCE], { input: JSON.stringify(input), encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const reference = JSON.parse(run.stdout) as { coef: number[][]; intercept: number[]; predict: string[] }[];
  for (const [i, c] of cases.entries()) {
    const ours = models[i].coefficients;
    const theirs = reference[i];
    const what = JSON.stringify(c.params);
    // Both stop at the same tolerances along different paths: coefficients agree to ~1e-3.
    assert.ok(maxDiff(ours.coef.flat(), theirs.coef.flat()) < 5e-3, `${what}: coefficients`);
    assert.ok(maxDiff(ours.intercept, theirs.intercept) < 5e-3, `${what}: intercepts`);
    const predicted = await models[i].predict(c.data.frame);
    const agree = predicted.filter((p, r) => p === theirs.predict[r]).length / predicted.length;
    assert.ok(agree >= 0.998, `${what}: ${agree} of the predictions agree`);
  }
});
