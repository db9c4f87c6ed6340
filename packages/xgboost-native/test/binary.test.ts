// binary:logistic on an XOR of two features: XGBoost learns it, and predict's options work.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DMatrix, train } from "../src/index.js";
import { binaryAccuracy, makeDataset, sameBits, skipReason, xorRule } from "./helpers.js";

describe("binary classification", { skip: skipReason }, () => {
  const trainSet = makeDataset(1000, 4, 1, xorRule);
  const testSet = makeDataset(500, 4, 2, xorRule);
  const params = { objective: "binary:logistic", max_depth: 4, eta: 0.3, seed: 0, nthread: 2 };

  test("learns the XOR rule: held-out accuracy above 0.95, probabilities in (0, 1)", () => {
    const dtrain = new DMatrix(trainSet.x, trainSet.rows, trainSet.cols);
    dtrain.setLabel(trainSet.y);
    const dtest = new DMatrix(testSet.x, testSet.rows, testSet.cols);
    const { booster } = train(params, dtrain, { rounds: 40 });
    const p = booster.predict(dtest);
    assert.deepEqual(p.shape, [testSet.rows]);
    assert.equal(p.values.length, testSet.rows);
    for (const v of p.values) assert.ok(v > 0 && v < 1, `probability ${v}`);
    const accuracy = binaryAccuracy(p.values, testSet.y);
    assert.ok(accuracy > 0.95, `accuracy ${accuracy}`);
    assert.equal(booster.numBoostedRounds(), 40);
    assert.equal(booster.numFeatures(), 4);
    booster.dispose();
    dtrain.dispose();
    dtest.dispose();
  });

  test("outputMargin gives log-odds, and iterationRange limits the rounds used", () => {
    const dtrain = new DMatrix(trainSet.x, trainSet.rows, trainSet.cols);
    dtrain.setLabel(trainSet.y);
    const { booster } = train(params, dtrain, { rounds: 20 });
    const p = booster.predict(dtrain).values;
    const margin = booster.predict(dtrain, { outputMargin: true }).values;
    for (let i = 0; i < p.length; i++) assert.ok(Math.abs(1 / (1 + Math.exp(-margin[i])) - p[i]) < 1e-6);
    const first5 = booster.predict(dtrain, { iterationRange: [0, 5] }).values;
    const all = booster.predict(dtrain, { iterationRange: [0, 20] }).values;
    assert.deepEqual(all, p);
    assert.notDeepEqual(first5, p);
    // Fewer rounds fit the training set less well.
    assert.ok(binaryAccuracy(first5, trainSet.y) < binaryAccuracy(p, trainSet.y));
    // Rounds [5, 20) alone add up with rounds [0, 5) to the full margin (base_score 0.5 is margin 0).
    const m05 = booster.predict(dtrain, { outputMargin: true, iterationRange: [0, 5] }).values;
    const m520 = booster.predict(dtrain, { outputMargin: true, iterationRange: [5, 20] }).values;
    for (let i = 0; i < p.length; i++) assert.ok(Math.abs(m05[i] + m520[i] - margin[i]) < 1e-4);
    booster.dispose();
    dtrain.dispose();
  });

  test("NaN entries are missing; another `missing` sentinel builds the same matrix", () => {
    const withNaN = trainSet.x.slice();
    const withSentinel = trainSet.x.slice();
    let holes = 0;
    for (let r = 0; r < trainSet.rows; r += 7, holes++) {
      withNaN[r * trainSet.cols + 3] = Number.NaN; // x3 is a noise feature
      withSentinel[r * trainSet.cols + 3] = -999;
    }
    const a = new DMatrix(withNaN, trainSet.rows, trainSet.cols);
    const b = new DMatrix(withSentinel, trainSet.rows, trainSet.cols, { missing: -999 });
    assert.equal(a.numNonMissing(), trainSet.rows * trainSet.cols - holes);
    assert.equal(b.numNonMissing(), a.numNonMissing());
    a.setLabel(trainSet.y);
    b.setLabel(trainSet.y);
    const pa = train(params, a, { rounds: 30 }).booster.predict(a).values;
    const pb = train(params, b, { rounds: 30 }).booster.predict(b).values;
    assert.ok(sameBits(pa, pb));
    const dtest = new DMatrix(testSet.x, testSet.rows, testSet.cols);
    const accuracy = binaryAccuracy(
      train(params, a, { rounds: 30 }).booster.predict(dtest).values,
      testSet.y,
    );
    assert.ok(accuracy > 0.95, `accuracy ${accuracy}`);
  });

  test("a DMatrix built from a subarray reads the subarray's values", () => {
    const offset = 100; // rows skipped
    const view = trainSet.x.subarray(offset * trainSet.cols, (offset + 300) * trainSet.cols);
    const copy = trainSet.x.slice(offset * trainSet.cols, (offset + 300) * trainSet.cols);
    const dtrain = new DMatrix(trainSet.x, trainSet.rows, trainSet.cols);
    dtrain.setLabel(trainSet.y);
    const { booster } = train(params, dtrain, { rounds: 10 });
    const fromView = booster.predict(new DMatrix(view, 300, trainSet.cols)).values;
    const fromCopy = booster.predict(new DMatrix(copy, 300, trainSet.cols)).values;
    const full = booster.predict(dtrain).values.subarray(offset, offset + 300);
    assert.ok(sameBits(fromView, fromCopy));
    assert.ok(sameBits(fromView, full));
  });
});
