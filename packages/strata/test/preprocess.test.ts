import assert from "node:assert/strict";
import { test } from "node:test";
import { Frame } from "../src/data/frame.js";
import { TabularPreprocessor } from "../src/data/preprocess.js";

const train = Frame.fromColumns({
  age: [20, 30, null, 50],
  city: ["paris", "rome", "paris", null],
});

test("median imputation, standardisation and one-hot, with exact values", () => {
  const p = new TabularPreprocessor().fit(train);
  const s = p.fitted;
  // age: median of 20, 30, 50 = 30; after imputation [20, 30, 30, 50]: mean 32.5,
  // variance (12.5² + 2.5² + 2.5² + 17.5²) / 4 = (156.25 + 6.25 + 6.25 + 306.25) / 4 = 118.75.
  assert.deepEqual(s.numeric, [{ name: "age", median: 30, mean: 32.5, std: Math.sqrt(118.75) }]);
  // city: paris ×2, rome ×1; missing → most frequent (paris); categories sorted.
  assert.deepEqual(s.categorical, [{ name: "city", categories: ["paris", "rome"], mostFrequent: "paris" }]);
  assert.deepEqual(p.outputNames, ["age", "city=paris", "city=rome"]);

  const { x, unseen } = p.transform(train);
  const sd = Math.sqrt(118.75);
  const expected = [
    [(20 - 32.5) / sd, 1, 0],
    [(30 - 32.5) / sd, 0, 1],
    [(30 - 32.5) / sd, 1, 0],
    [(50 - 32.5) / sd, 1, 0],
  ];
  assert.equal(x.cols, 3);
  expected.flat().forEach((v, i) => {
    assert.ok(Math.abs(x.data[i] - v) < 1e-6, `cell ${i}: ${x.data[i]} vs ${v}`);
  });
  assert.equal(unseen.size, 0);
});

test("an unseen category encodes as all zeros and is counted", () => {
  const p = new TabularPreprocessor().fit(train);
  const { x, unseen } = p.transform(Frame.fromColumns({ age: [40], city: ["oslo"] }));
  assert.deepEqual(Array.from(x.data.subarray(1)), [0, 0]);
  assert.equal(unseen.get("city"), 1);
});

test("state round-trips through JSON and gives the same output", () => {
  const p = new TabularPreprocessor().fit(train);
  const q = TabularPreprocessor.fromState(JSON.parse(JSON.stringify(p.fitted)));
  assert.deepEqual(q.transform(train).x.data, p.transform(train).x.data);
});

test("maxCategories keeps the most frequent; a constant column gets std 1, not a division by zero", () => {
  const f = Frame.fromColumns({ c: ["a", "b", "b", "c", "c", "c"], k: [5, 5, 5, 5, 5, 5] });
  const p = new TabularPreprocessor({ maxCategories: 2 }).fit(f);
  assert.deepEqual(p.fitted.categorical[0].categories, ["b", "c"]);
  assert.equal(p.fitted.numeric[0].std, 1);
  assert.ok(p.transform(f).x.data.every(Number.isFinite));
});

test("transform before fit is an error", () => {
  assert.throws(() => new TabularPreprocessor().transform(train), /call fit\(\) before/);
});
