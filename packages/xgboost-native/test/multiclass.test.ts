// multi:softprob with 3 classes: accuracy, probabilities per row, and evalSet's metric values.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DMatrix, train } from "../src/index.js";
import { makeDataset, mlogloss, multiAccuracy, ringRule, skipReason } from "./helpers.js";

describe("3-class classification", { skip: skipReason }, () => {
  const trainSet = makeDataset(1500, 5, 3, ringRule);
  const validSet = makeDataset(600, 5, 4, ringRule);
  const params = { objective: "multi:softprob", num_class: 3, max_depth: 4, eta: 0.3, seed: 0 };

  test("learns the rule (accuracy above 0.93), probabilities [rows, 3] summing to 1", () => {
    const dtrain = new DMatrix(trainSet.x, trainSet.rows, trainSet.cols);
    dtrain.setLabel(trainSet.y);
    const dvalid = new DMatrix(validSet.x, validSet.rows, validSet.cols);
    const { booster } = train(params, dtrain, { rounds: 50 });
    const p = booster.predict(dvalid);
    assert.deepEqual(p.shape, [validSet.rows, 3]);
    for (let r = 0; r < validSet.rows; r++) {
      const row = p.values.subarray(r * 3, r * 3 + 3);
      const sum = row[0] + row[1] + row[2];
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${r} sums to ${sum}`);
      for (const v of row) assert.ok(v >= 0 && v <= 1);
    }
    const accuracy = multiAccuracy(p.values, validSet.y, 3);
    assert.ok(accuracy > 0.93, `accuracy ${accuracy}`);
    // multi:softprob rounds hold one tree per class; margins are [rows, 3] too.
    assert.equal(booster.numBoostedRounds(), 50);
    assert.deepEqual(booster.predict(dvalid, { outputMargin: true }).shape, [validSet.rows, 3]);
  });

  test("evalSet reports XGBoost's mlogloss per set, matching the predictions", () => {
    const dtrain = new DMatrix(trainSet.x, trainSet.rows, trainSet.cols);
    dtrain.setLabel(trainSet.y);
    const dvalid = new DMatrix(validSet.x, validSet.rows, validSet.cols);
    dvalid.setLabel(validSet.y);
    const seen: number[] = [];
    const { booster, history } = train(params, dtrain, {
      rounds: 10,
      evals: [
        [dtrain, "train"],
        [dvalid, "valid"],
      ],
      onIteration: (iteration) => seen.push(iteration),
    });
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const metrics = booster.evalSet(9, [
      [dtrain, "train"],
      [dvalid, "valid"],
    ]);
    assert.deepEqual(Object.keys(metrics), ["train-mlogloss", "valid-mlogloss"]);
    assert.equal(metrics["valid-mlogloss"], history["valid-mlogloss"][9]);
    assert.equal(history["train-mlogloss"].length, 10);
    const ours = mlogloss(booster.predict(dvalid).values, validSet.y, 3);
    assert.ok(Math.abs(metrics["valid-mlogloss"] - ours) < 1e-5, `${metrics["valid-mlogloss"]} vs ${ours}`);
    // Training loss falls round after round at eta 0.3.
    const trainLoss = history["train-mlogloss"];
    for (let k = 1; k < trainLoss.length; k++) assert.ok(trainLoss[k] < trainLoss[k - 1]);
  });

  test("several eval_metric values are all reported, in the order given", () => {
    const dvalid = new DMatrix(validSet.x, validSet.rows, validSet.cols);
    dvalid.setLabel(validSet.y);
    const { booster } = train({ ...params, eval_metric: ["merror", "mlogloss"] }, dvalid, { rounds: 3 });
    const metrics = booster.evalSet(2, [[dvalid, "valid"]]);
    assert.deepEqual(Object.keys(metrics), ["valid-merror", "valid-mlogloss"]);
    const error = 1 - multiAccuracy(booster.predict(dvalid).values, validSet.y, 3);
    assert.ok(Math.abs(metrics["valid-merror"] - error) < 1e-6);
  });
});
