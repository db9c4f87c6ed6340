// reg:squarederror: one value per row, base_score honoured and saved, the rmse metric as computed here.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Booster, DMatrix, train } from "../src/index.js";
import { type Dataset, makeDataset, random, sameBits, skipReason } from "./helpers.js";

/** y = 3·x0 − 2·x1 + 10 + uniform noise in [−0.25, 0.25); x2, x3 are noise. */
function linear(rows: number, seed: number): Dataset {
  const noise = random(seed + 1000);
  return makeDataset(rows, 4, seed, (row) => 3 * row[0] - 2 * row[1] + 10 + (noise() - 0.5) / 2);
}

function rmse(p: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (p[i] - y[i]) ** 2;
  return Math.sqrt(sum / y.length);
}

function mean(y: Float32Array): number {
  let sum = 0;
  for (const v of y) sum += v;
  return sum / y.length;
}

describe("regression", { skip: skipReason }, () => {
  const trainSet = linear(800, 31);
  const validSet = linear(400, 32);
  const dtrain = new DMatrix(trainSet.x, trainSet.rows, trainSet.cols);
  dtrain.setLabel(trainSet.y);
  const dvalid = new DMatrix(validSet.x, validSet.rows, validSet.cols);
  dvalid.setLabel(validSet.y);
  const base = mean(trainSet.y);
  const params = {
    objective: "reg:squarederror",
    base_score: base,
    max_depth: 4,
    eta: 0.3,
    seed: 0,
    nthread: 2,
  };

  test("learns a linear target: one value per row, held-out RMSE far below the mean's", () => {
    const { booster } = train(params, dtrain, { rounds: 100 });
    const p = booster.predict(dvalid);
    assert.deepEqual(p.shape, [validSet.rows]);
    const baseline = rmse(new Float32Array(validSet.rows).fill(base), validSet.y);
    const fitted = rmse(p.values, validSet.y);
    assert.ok(fitted < 0.2 * baseline, `RMSE ${fitted} vs the mean's ${baseline}`);
    // A squared-error margin is the prediction itself.
    assert.ok(sameBits(booster.predict(dvalid, { outputMargin: true }).values, p.values));
    booster.dispose();
  });

  test("base_score is where the trees start, and is saved with the model", () => {
    // One round at a tiny learning rate predicts base_score (10.something), not XGBoost 1.7's 0.5.
    const { booster } = train({ ...params, eta: 1e-6 }, dtrain, { rounds: 1 });
    for (const v of booster.predict(dvalid).values) assert.ok(Math.abs(v - base) < 1e-3, `prediction ${v}`);
    const bytes = booster.saveModelJson();
    const json = JSON.parse(new TextDecoder().decode(bytes));
    assert.equal(json.learner.objective.name, "reg:squarederror");
    assert.ok(Math.abs(Number(json.learner.learner_model_param.base_score) - base) < 1e-5);
    const loaded = Booster.loadModel(bytes);
    assert.ok(sameBits(loaded.predict(dvalid).values, booster.predict(dvalid).values));
    loaded.dispose();
    booster.dispose();
    // Without base_score (0.5), the same round predicts about 0.5: far from the target.
    const { base_score: _, ...unsetParams } = params;
    const { booster: unset } = train({ ...unsetParams, eta: 1e-6 }, dtrain, { rounds: 1 });
    for (const v of unset.predict(dvalid).values) assert.ok(Math.abs(v - 0.5) < 1e-3);
    unset.dispose();
  });

  test("the rmse metric is the RMSE of the predictions, and early stopping watches it", () => {
    const { booster, history, bestIteration } = train({ ...params, eval_metric: "rmse" }, dtrain, {
      rounds: 300,
      evals: [
        [dtrain, "train"],
        [dvalid, "valid"],
      ],
      earlyStoppingRounds: 10,
    });
    const valid = history["valid-rmse"];
    assert.equal(valid.length, booster.numBoostedRounds());
    for (const round of [0, bestIteration, valid.length - 1]) {
      const p = booster.predict(dvalid, { iterationRange: [0, round + 1] }).values;
      assert.ok(Math.abs(rmse(p, validSet.y) - valid[round]) < 1e-4, `round ${round}`);
    }
    assert.equal(valid.indexOf(Math.min(...valid)), bestIteration);
    assert.ok(bestIteration < 299, "stopped early");
    booster.dispose();
  });
});
