// Failures are JS errors, never crashes: XGBoost's own messages, argument checks, disposed objects.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Booster, DMatrix, train } from "../src/index.js";
import { makeDataset, skipReason, xorRule } from "./helpers.js";

describe("errors", { skip: skipReason }, () => {
  const data = makeDataset(100, 4, 12, xorRule);
  const matrix = () => {
    const d = new DMatrix(data.x, data.rows, data.cols);
    d.setLabel(data.y);
    return d;
  };

  test("a parameter XGBoost rejects gives XGBoost's message, and retires the booster", () => {
    const d = matrix();
    const booster = new Booster({ objective: "binary:logistic", max_depth: -1 }, [d]);
    let caught: unknown;
    assert.throws(
      () => booster.updateOneIter(0, d),
      (e: unknown) => {
        caught = e;
        return (
          e instanceof Error &&
          /value -1 for Parameter max_depth should be greater equal to 0/.test(e.message)
        );
      },
    );
    // The untrimmed XGBGetLastError() text, XGBoost's native backtrace included, is kept.
    const raw = (caught as { xgboostLastError?: unknown }).xgboostLastError;
    assert.equal(typeof raw, "string");
    assert.match(raw as string, /max_depth/);
    assert.doesNotMatch((caught as Error).message, /Stack trace/);
    // XGBoost 1.7 would segfault on the next update; the booster refuses instead.
    assert.throws(() => booster.setParam("max_depth", 3), /unusable since XGBoost failed to configure it/);
    assert.throws(() => booster.updateOneIter(0, d), /unusable since XGBoost failed to configure it/);
    assert.throws(() => booster.predict(d), /unusable/);
    booster.dispose();
    // train() reports the same, before any round.
    assert.throws(() => train({ max_depth: -1 }, d, { rounds: 3 }), /max_depth should be greater equal to 0/);
  });

  test("other XGBoost errors: unknown objective, missing num_class, bad labels, bad iteration range", () => {
    const d = matrix();
    assert.throws(
      () => train({ objective: "binary:nope" }, d, { rounds: 1 }),
      /Unknown objective function: `binary:nope`/,
    );
    assert.throws(() => train({ objective: "multi:softprob" }, d, { rounds: 1 }), /num_class/);
    const bad = new DMatrix(data.x, data.rows, data.cols);
    bad.setLabel(new Float32Array(data.rows).fill(2));
    assert.throws(
      () => train({ objective: "binary:logistic" }, bad, { rounds: 1 }),
      /label must be in \[0,1\]/,
    );
    const { booster } = train({ objective: "binary:logistic" }, d, { rounds: 2 });
    assert.throws(
      () => booster.predict(d, { iterationRange: [0, 5] }),
      /XGBoosterPredictFromDMatrix: .*Invalid number of trees/,
    );
    // An error after configuration leaves the booster usable.
    assert.equal(booster.predict(d).values.length, data.rows);
  });

  test("argument checks throw TypeError or RangeError", () => {
    assert.throws(() => new DMatrix(data.x, 100, 3), {
      name: "RangeError",
      message: "DMatrix: data has 400 values, rows * cols = 100 * 3 = 300",
    });
    assert.throws(() => new DMatrix(data.x, 2.5, 4), RangeError);
    assert.throws(() => new DMatrix(data.x, -100, -4), RangeError);
    assert.throws(() => new DMatrix([1, 2] as unknown as Float32Array, 1, 2), {
      name: "TypeError",
      message: "DMatrix data must be a Float32Array",
    });
    assert.throws(() => new DMatrix(new Float64Array(4) as unknown as Float32Array, 2, 2), TypeError);
    const d = matrix();
    assert.throws(() => d.setLabel(new Float32Array(99)), {
      name: "RangeError",
      message: "DMatrix label: 99 values for 100 rows",
    });
    assert.throws(() => new Booster({}, [{} as DMatrix]), TypeError);
    assert.throws(() => new Booster({ eta: {} as unknown as number }, [d]), TypeError);
    const { booster } = train({}, d, { rounds: 1 });
    assert.throws(() => booster.predict({} as DMatrix), TypeError);
    assert.throws(() => booster.predict(d, { iterationRange: [-1, 2] }), RangeError);
    assert.throws(() => booster.predict(new DMatrix(new Float32Array(6), 2, 3)), {
      name: "RangeError",
      message: "predict: the DMatrix has 3 columns, the model 4 features",
    });
    assert.throws(() => booster.updateOneIter(0.5, d), RangeError);
    assert.throws(() => booster.evalSet(0, [[d, "has space"]]), TypeError);
    assert.throws(() => Booster.loadModel("{}" as unknown as Uint8Array), TypeError);
  });

  test("dispose twice is safe; using a disposed object is a clear Error", () => {
    const d = matrix();
    const { booster } = train({ objective: "binary:logistic" }, d, { rounds: 2 });
    const other = matrix();
    other.dispose();
    other.dispose();
    assert.equal(other.disposed, true);
    assert.equal(other.rows, 100, "shape stays readable");
    assert.throws(() => booster.predict(other), {
      name: "Error",
      message: "Booster.predict: the DMatrix has been disposed",
    });
    assert.throws(() => other.setLabel(data.y), /the DMatrix has been disposed/);
    assert.throws(() => new Booster({}, [other]), /the DMatrix has been disposed/);
    booster.dispose();
    booster.dispose();
    assert.equal(booster.disposed, true);
    assert.throws(() => booster.predict(d), {
      name: "Error",
      message: "Booster.predict: the Booster has been disposed",
    });
    assert.throws(() => booster.saveModelJson(), /the Booster has been disposed/);
    assert.throws(() => booster.numBoostedRounds(), /the Booster has been disposed/);
  });
});
