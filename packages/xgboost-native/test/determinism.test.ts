// Same data, parameters and seed: bit-identical predictions. The seed does matter (row and
// column subsampling use it), so the equality is not trivially true. And nthread reaches XGBoost.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Booster, DMatrix, train } from "../src/index.js";
import { makeDataset, ringRule, sameBits, skipReason } from "./helpers.js";

describe("determinism and threads", { skip: skipReason }, () => {
  const data = makeDataset(800, 5, 13, ringRule);
  const params = {
    objective: "multi:softprob",
    num_class: 3,
    max_depth: 5,
    eta: 0.3,
    subsample: 0.6,
    colsample_bytree: 0.6,
    nthread: 2,
  };
  const fit = (seed: number) => {
    const d = new DMatrix(data.x, data.rows, data.cols);
    d.setLabel(data.y);
    const { booster } = train({ ...params, seed }, d, { rounds: 25 });
    const p = booster.predict(d).values;
    booster.dispose();
    d.dispose();
    return p;
  };

  test("the same seed twice gives the same bits; another seed does not", () => {
    const a = fit(42);
    const b = fit(42);
    assert.ok(sameBits(a, b));
    assert.ok(!sameBits(a, fit(7)), "seed 7 subsamples other rows and columns");
  });

  test("nthread is passed to XGBoost (its resolved configuration says so)", () => {
    const d = new DMatrix(data.x, data.rows, data.cols);
    d.setLabel(data.y);
    const config = (nthread?: number) => {
      const booster = new Booster(nthread === undefined ? {} : { nthread }, [d]);
      const parsed = JSON.parse(booster.saveConfig());
      booster.dispose();
      return parsed.learner.generic_param.nthread;
    };
    assert.equal(config(1), "1");
    assert.equal(config(2), "2");
    assert.equal(config(), "0", "XGBoost's default: 0, all of OpenMP's threads");
  });
});
