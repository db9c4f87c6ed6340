// predictContributions (TreeSHAP): each row's contributions plus the bias are its output margin.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Booster, DMatrix, train } from "../src/index.js";
import { type Dataset, makeDataset, random, ringRule, skipReason, xorRule } from "./helpers.js";

/** Blanks about 5% of the cells (NaN, XGBoost's missing value): TreeSHAP follows the default branch for them. */
function withMissing(set: Dataset, seed: number): Dataset {
  const next = random(seed);
  return { ...set, x: set.x.map((v) => (next() < 0.05 ? Number.NaN : v)) };
}

/** Asserts that, for every row and group, the contributions plus bias equal the margin within 1e-4. */
function assertSumsToMargin(
  booster: Booster,
  d: DMatrix,
  rows: number,
  cols: number,
  range?: [number, number],
) {
  const c = booster.predictContributions(d, { iterationRange: range });
  const margin = booster.predict(d, { outputMargin: true, iterationRange: range }).values;
  const groups = c.shape[1];
  assert.deepEqual(c.shape, [rows, groups, cols + 1]);
  assert.equal(margin.length, rows * groups);
  let worst = 0;
  for (let r = 0; r < rows; r++)
    for (let g = 0; g < groups; g++) {
      const start = (r * groups + g) * (cols + 1);
      let sum = 0;
      for (let f = 0; f <= cols; f++) sum += c.values[start + f];
      worst = Math.max(worst, Math.abs(sum - margin[r * groups + g]));
    }
  assert.ok(worst < 1e-4, `largest |contributions + bias - margin| ${worst}`);
  return c;
}

describe("predictContributions (TreeSHAP)", { skip: skipReason }, () => {
  test("binary: one group per row; contributions plus bias are the log-odds margin", () => {
    const set = withMissing(makeDataset(600, 4, 11, xorRule), 12);
    const d = new DMatrix(set.x, set.rows, set.cols);
    d.setLabel(set.y);
    const { booster } = train({ objective: "binary:logistic", max_depth: 3, eta: 0.3, seed: 0 }, d, {
      rounds: 20,
    });
    const c = assertSumsToMargin(booster, d, set.rows, set.cols);
    assert.equal(c.shape[1], 1);
    // The rule uses x0 and x1 only: they carry most of the attribution, the noise columns little.
    const meanAbs = [0, 1, 2, 3].map((f) => {
      let s = 0;
      for (let r = 0; r < set.rows; r++) s += Math.abs(c.values[r * (set.cols + 1) + f]);
      return s / set.rows;
    });
    assert.ok(Math.min(meanAbs[0], meanAbs[1]) > 3 * Math.max(meanAbs[2], meanAbs[3]), `${meanAbs}`);
    // The bias is the same for every row (the margin's expectation over the training data).
    for (let r = 1; r < set.rows; r++)
      assert.equal(c.values[r * (set.cols + 1) + set.cols], c.values[set.cols]);
    booster.dispose();
    d.dispose();
  });

  test("multiclass: one group per class, each summing to that class's margin", () => {
    const set = withMissing(makeDataset(600, 5, 13, ringRule), 14);
    const d = new DMatrix(set.x, set.rows, set.cols);
    d.setLabel(set.y);
    const { booster } = train({ objective: "multi:softprob", num_class: 3, max_depth: 3, seed: 0 }, d, {
      rounds: 15,
    });
    const c = assertSumsToMargin(booster, d, set.rows, set.cols);
    assert.equal(c.shape[1], 3);
    booster.dispose();
    d.dispose();
  });

  test("an iteration range explains the margin of those rounds only", () => {
    const set = makeDataset(300, 4, 15, xorRule);
    const d = new DMatrix(set.x, set.rows, set.cols);
    d.setLabel(set.y);
    const { booster } = train({ objective: "binary:logistic", max_depth: 3, seed: 0 }, d, { rounds: 10 });
    const first = assertSumsToMargin(booster, d, set.rows, set.cols, [0, 3]);
    const all = booster.predictContributions(d);
    assert.notDeepEqual(first.values, all.values);
    booster.dispose();
    d.dispose();
  });

  test("a matrix whose column count is not the model's is refused, as predict does", () => {
    const set = makeDataset(100, 4, 16, xorRule);
    const d = new DMatrix(set.x, set.rows, set.cols);
    d.setLabel(set.y);
    const { booster } = train({ objective: "binary:logistic", seed: 0 }, d, { rounds: 2 });
    const narrow = new DMatrix(new Float32Array(30), 10, 3);
    assert.throws(
      () => booster.predictContributions(narrow),
      /predictContributions: the DMatrix has 3 columns, the model 4 features/,
    );
    booster.dispose();
    assert.throws(() => booster.predictContributions(d), /disposed/);
    narrow.dispose();
    d.dispose();
  });
});
