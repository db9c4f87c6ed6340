// saveModelJson -> loadModel: the same predictions, bit for bit, and the attributes kept.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Booster, DMatrix, train } from "../src/index.js";
import { makeDataset, ringRule, sameBits, skipReason, xorRule } from "./helpers.js";

describe("saving and loading models", { skip: skipReason }, () => {
  test("a binary model reloads with identical predictions and attributes", () => {
    const data = makeDataset(600, 4, 5, xorRule);
    const d = new DMatrix(data.x, data.rows, data.cols);
    d.setLabel(data.y);
    const { booster } = train({ objective: "binary:logistic", max_depth: 3, seed: 1 }, d, { rounds: 15 });
    booster.setAttr("note", "hello");
    const bytes = booster.saveModelJson();
    const json = JSON.parse(new TextDecoder().decode(bytes));
    assert.equal(json.learner.objective.name, "binary:logistic");
    assert.equal(json.learner.gradient_booster.model.trees.length, 15);
    const loaded = Booster.loadModel(bytes);
    assert.equal(loaded.numBoostedRounds(), 15);
    assert.equal(loaded.getAttr("note"), "hello");
    assert.ok(sameBits(loaded.predict(d).values, booster.predict(d).values));
    const margins = (b: Booster) => b.predict(d, { outputMargin: true, iterationRange: [2, 9] }).values;
    assert.ok(sameBits(margins(loaded), margins(booster)));
    // Saving the loaded model again gives the same bytes.
    assert.deepEqual(loaded.saveModelJson(), bytes);
  });

  test("a 3-class model reloads with identical probabilities", () => {
    const data = makeDataset(600, 5, 6, ringRule);
    const d = new DMatrix(data.x, data.rows, data.cols);
    d.setLabel(data.y);
    const { booster } = train({ objective: "multi:softprob", num_class: 3, seed: 2 }, d, { rounds: 8 });
    const loaded = Booster.loadModel(booster.saveModelJson());
    const p = loaded.predict(d);
    assert.deepEqual(p.shape, [600, 3]);
    assert.ok(sameBits(p.values, booster.predict(d).values));
  });

  test("attributes: set, read, list, delete", () => {
    const booster = new Booster();
    assert.equal(booster.getAttr("best_iteration"), undefined);
    booster.setAttr("best_iteration", "4");
    booster.setAttr("x", "y");
    assert.equal(booster.getAttr("best_iteration"), "4");
    assert.deepEqual(booster.attrNames().sort(), ["best_iteration", "x"]);
    booster.setAttr("x", undefined);
    assert.deepEqual(booster.attrNames(), ["best_iteration"]);
    booster.dispose();
  });

  test("bytes that are no model give XGBoost's error", () => {
    assert.throws(
      () => Booster.loadModel(new TextEncoder().encode('{"learner": 1}')),
      /XGBoosterLoadModelFromBuffer: /,
    );
    assert.throws(
      () => Booster.loadModel(new Uint8Array([1, 2, 3])),
      /XGBoosterLoadModelFromBuffer: .*wrong model format/,
    );
  });
});
