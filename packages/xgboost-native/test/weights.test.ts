// Sample weights: rows that cannot be told apart get the weighted mean of their labels.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DMatrix, train } from "../src/index.js";
import { makeDataset, sameBits, skipReason } from "./helpers.js";

describe("sample weights", { skip: skipReason }, () => {
  // Every row appears twice, once labelled 0 and once 1: no tree can separate the pair, so the
  // fitted probability is the weighted share of label 1.
  const base = makeDataset(200, 2, 11, () => 0);
  const x = new Float32Array(base.x.length * 2);
  x.set(base.x);
  x.set(base.x, base.x.length);
  const y = new Float32Array(400).fill(1, 200);
  const params = { objective: "binary:logistic", max_depth: 3, eta: 0.3, seed: 0 };

  const fit = (weights?: Float32Array) => {
    const d = new DMatrix(x, 400, 2);
    d.setLabel(y);
    if (weights) d.setWeight(weights);
    return train(params, d, { rounds: 60 }).booster.predict(d).values;
  };

  test("uniform weights fit 0.5; weight 3 on the label-1 copies fits 0.75", () => {
    const plain = fit();
    const ones = fit(new Float32Array(400).fill(1));
    assert.ok(sameBits(plain, ones), "weights of 1 are the default");
    const weighted = fit(new Float32Array(400).fill(1).fill(3, 200));
    for (let i = 0; i < 400; i++) {
      assert.ok(Math.abs(plain[i] - 0.5) < 0.01, `unweighted ${plain[i]}`);
      assert.ok(Math.abs(weighted[i] - 0.75) < 0.02, `weighted ${weighted[i]}`);
    }
  });

  test("a weight vector of the wrong length is a RangeError", () => {
    const d = new DMatrix(x, 400, 2);
    assert.throws(() => d.setWeight(new Float32Array(399)), {
      name: "RangeError",
      message: "DMatrix weight: 399 values for 400 rows",
    });
  });
});
