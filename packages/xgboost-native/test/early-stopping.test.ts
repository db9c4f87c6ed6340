// Early stopping on noisy labels at a high learning rate, where validation loss soon rises.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Booster, DMatrix, train } from "../src/index.js";
import { flipLabels, logloss, makeDataset, skipReason, xorRule } from "./helpers.js";

/** The first index of the smallest (or largest) value. */
function firstBest(values: number[], maximize: boolean): number {
  let best = 0;
  for (let k = 1; k < values.length; k++)
    if (maximize ? values[k] > values[best] : values[k] < values[best]) best = k;
  return best;
}

describe("early stopping", { skip: skipReason }, () => {
  const trainSet = makeDataset(600, 4, 7, xorRule);
  const validSet = makeDataset(600, 4, 8, xorRule);
  const params = { objective: "binary:logistic", eta: 0.3, max_depth: 6, seed: 0 };
  const dtrain = new DMatrix(trainSet.x, trainSet.rows, trainSet.cols);
  dtrain.setLabel(flipLabels(trainSet.y, 0.25, 9));
  const yValid = flipLabels(validSet.y, 0.25, 10);
  const dvalid = new DMatrix(validSet.x, validSet.rows, validSet.cols);
  dvalid.setLabel(yValid);
  const evals: [DMatrix, string][] = [
    [dtrain, "train"],
    [dvalid, "valid"],
  ];

  test("stops earlyStoppingRounds after the best validation loss, and reports it", () => {
    const rounds = 200;
    const { booster, bestIteration, bestScore, history } = train(params, dtrain, {
      rounds,
      evals,
      earlyStoppingRounds: 10,
    });
    const loss = history["valid-logloss"];
    assert.ok(bestIteration < rounds - 1);
    assert.equal(booster.numBoostedRounds(), bestIteration + 11);
    assert.equal(loss.length, booster.numBoostedRounds());
    assert.equal(bestIteration, firstBest(loss, false));
    assert.equal(bestScore, loss[bestIteration]);
    assert.ok(loss[loss.length - 1] > bestScore!, "validation loss rose after the best round");
    assert.equal(booster.getAttr("best_iteration"), String(bestIteration));
    assert.equal(Number(booster.getAttr("best_score")), bestScore);
    // The best model, predicted through iterationRange, scores bestScore, better than all rounds.
    const best = logloss(booster.predict(dvalid, { iterationRange: [0, bestIteration + 1] }).values, yValid);
    const all = logloss(booster.predict(dvalid).values, yValid);
    assert.ok(Math.abs(best - bestScore!) < 1e-6, `${best} vs ${bestScore}`);
    assert.ok(all > best);
    // The attributes travel with the saved model.
    const loaded = Booster.loadModel(booster.saveModelJson());
    assert.equal(loaded.getAttr("best_iteration"), String(bestIteration));
  });

  test("monitors the last metric of the last eval set: valid-auc, maximized", () => {
    const { booster, bestIteration, bestScore, history } = train(
      { ...params, eval_metric: ["logloss", "auc"] },
      dtrain,
      { rounds: 200, evals, earlyStoppingRounds: 5 },
    );
    const auc = history["valid-auc"];
    assert.equal(bestIteration, firstBest(auc, true));
    assert.equal(bestScore, auc[bestIteration]);
    assert.equal(booster.numBoostedRounds(), bestIteration + 6);
  });

  test("with the training set last, its still-falling loss never stops training", () => {
    const { booster, bestIteration, history } = train(params, dtrain, {
      rounds: 30,
      evals: [
        [dvalid, "valid"],
        [dtrain, "train"],
      ],
      earlyStoppingRounds: 3,
    });
    assert.equal(booster.numBoostedRounds(), 30);
    assert.equal(bestIteration, 29);
    // ...although the validation loss alone would have stopped it.
    assert.ok(firstBest(history["valid-logloss"], false) + 3 < 29);
  });

  test("maximize: true overrides the metric's direction", () => {
    const { bestIteration, history } = train(params, dtrain, {
      rounds: 200,
      evals,
      earlyStoppingRounds: 10,
      maximize: true,
    });
    assert.equal(bestIteration, firstBest(history["valid-logloss"], true));
  });

  test("without early stopping: every round runs; best is the last", () => {
    const { booster, bestIteration, bestScore, history } = train(params, dtrain, { rounds: 12, evals });
    assert.equal(booster.numBoostedRounds(), 12);
    assert.equal(bestIteration, 11);
    assert.equal(bestScore, history["valid-logloss"][11]);
    assert.equal(booster.getAttr("best_iteration"), undefined);
    const { bestScore: none, history: empty } = train(params, dtrain, { rounds: 2 });
    assert.equal(none, undefined);
    assert.deepEqual(empty, {});
  });

  test("bad options are refused before training", () => {
    assert.throws(() => train(params, dtrain, { rounds: 10, earlyStoppingRounds: 3 }), TypeError);
    assert.throws(() => train(params, dtrain, { rounds: -1 }), RangeError);
    assert.throws(() => train(params, dtrain, { rounds: 10, evals, earlyStoppingRounds: 0 }), RangeError);
    const twice: [DMatrix, string][] = [
      [dtrain, "valid"],
      [dvalid, "valid"],
    ];
    assert.throws(() => train(params, dtrain, { rounds: 10, evals: twice }), /names must be distinct/);
  });
});
