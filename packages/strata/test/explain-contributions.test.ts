import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { DMatrix } from "strata-ml-xgboost";
import { useBackend } from "../src/backend.js";
import { Frame } from "../src/data/frame.js";
import { StrataError } from "../src/errors.js";
import { DenseClassifier } from "../src/estimators/dense.js";
import { LogisticRegression } from "../src/estimators/logistic.js";
import { VotingClassifier } from "../src/estimators/voting.js";
import { XGBoostClassifier } from "../src/estimators/xgboost.js";
import { rowContributions } from "../src/explain/contributions.js";
import type { RowContributions } from "../src/explain/types.js";
import { Rng } from "../src/util/random.js";
import { noXGBoost } from "./helpers/addons.js";

const skip = noXGBoost;
const COLORS = ["red", "green", "blue"];

/** Four numeric columns uniform in [-1, 1) and a categorical `color`; `label` picks each row's class. */
function table(rows: number, seed: number, label: (x: number[], color: string) => string) {
  const rng = new Rng(seed);
  const cols: Record<string, number[]> = { x0: [], x1: [], x2: [], x3: [] };
  const color: string[] = [];
  const y: string[] = [];
  for (let r = 0; r < rows; r++) {
    const x = [0, 1, 2, 3].map(() => rng.next() * 2 - 1);
    for (const [j, v] of x.entries()) cols[`x${j}`].push(v);
    color.push(COLORS[rng.int(COLORS.length)]);
    y.push(label(x, color[r]));
  }
  return { frame: Frame.fromColumns({ ...cols, color }), y };
}

/** Binary, on x2 alone. */
const onlyX2 = table(400, 1, (x) => (x[2] > 0 ? "yes" : "no"));
/** Three classes, from the color and x0. */
const threeWay = table(400, 2, (x, color) => (color === "red" ? "a" : x[0] > 0 ? "b" : "c"));

/** [row][class]: the values of each row and class plus its bias. */
function totals(c: RowContributions): number[][] {
  return c.values.map((row, r) => row.map((v, k) => v.reduce((a, b) => a + b, 0) + c.bias[r][k]));
}

/** Mean |value| of each feature over the rows and classes. */
function meanAbs(c: RowContributions): Map<string, number> {
  const cells = c.values.length * c.classes.length;
  return new Map(
    c.features.map((f, j) => [
      f,
      c.values.reduce((s, row) => s + row.reduce((t, perClass) => t + Math.abs(perClass[j]), 0), 0) / cells,
    ]),
  );
}

/** Asserts that x2's mean |contribution| is at least `factor` times any other column's. */
function assertX2Dominates(c: RowContributions, factor: number): void {
  const mean = meanAbs(c);
  const x2 = mean.get("x2") ?? 0;
  for (const [f, m] of mean)
    if (f !== "x2") assert.ok(x2 > factor * m, `x2 ${x2} vs ${f} ${m}: ${[...mean]}`);
}

test("TreeSHAP: per table column (one-hot blocks summed), values plus bias are XGBoost's margin", {
  skip,
}, async () => {
  for (const data of [onlyX2, threeWay]) {
    const model = await new XGBoostClassifier({ nEstimators: 30, maxDepth: 3 }).fit(data.frame, data.y);
    const c = await rowContributions(model, data.frame);
    assert.equal(c.method, "TreeSHAP (XGBoost's own, margin in log-odds)");
    assert.deepEqual(c.features, ["x0", "x1", "x2", "x3", "color"]);
    const binary = model.classes.length === 2;
    assert.deepEqual(c.classes, binary ? ["yes"] : ["a", "b", "c"]);
    assert.equal(c.values.length, data.frame.nRows);
    // The margin straight from the booster, on the model's own preprocessed rows.
    const x = model.preprocessor.transform(data.frame).x;
    const d = new DMatrix(x.data, x.rows, x.cols);
    const { booster, rounds } = model.booster;
    const margin = booster.predict(d, { outputMargin: true, iterationRange: [0, rounds] }).values;
    d.dispose();
    const sums = totals(c);
    const k = c.classes.length;
    for (let r = 0; r < x.rows; r++)
      for (let j = 0; j < k; j++)
        assert.ok(
          Math.abs(sums[r][j] - margin[r * k + j]) < 1e-4,
          `row ${r} class ${j}: ${sums[r][j]} vs ${margin[r * k + j]}`,
        );
    if (binary) {
      // One class: the margin is the log-odds of classes[1].
      const proba = await model.predictProba(data.frame);
      for (let r = 0; r < x.rows; r++)
        assert.ok(Math.abs(1 / (1 + Math.exp(-sums[r][0])) - proba.data[2 * r + 1]) < 1e-5);
      assertX2Dominates(c, 5);
    } else {
      // The classes depend on color and x0: those two carry the attribution.
      const mean = meanAbs(c);
      assert.ok(
        Math.min(mean.get("color")!, mean.get("x0")!) > 3 * Math.max(mean.get("x1")!, mean.get("x3")!),
        `${[...mean]}`,
      );
    }
    model.dispose();
  }
});

/** Asserts completeness: each row's values plus bias are the model's probability of the class, within 1e-2. */
async function assertComplete(
  model: DenseClassifier | LogisticRegression,
  frame: Frame,
  c: RowContributions,
) {
  const proba = await model.predictProba(frame);
  const classes = model.classes;
  const sums = totals(c);
  let worst = 0;
  for (let r = 0; r < frame.nRows; r++)
    c.classes.forEach((name, j) => {
      worst = Math.max(worst, Math.abs(sums[r][j] - proba.data[r * classes.length + classes.indexOf(name)]));
    });
  assert.ok(worst < 1e-2, `largest |values + bias − probability| ${worst}`);
  // The bias is the output at the baseline: a probability, the same for every row.
  for (const b of c.bias) assert.deepEqual(b, c.bias[0]);
  for (const p of c.bias[0]) assert.ok(p >= 0 && p <= 1);
}

test("integrated gradients of a dense network: complete within 1e-2, and x2 dominates when the label is x2 > 0", async () => {
  await useBackend();
  const before = tf.memory().numTensors;
  const binary = await new DenseClassifier({ hiddenUnits: [16], epochs: 40, seed: 0 }).fit(
    onlyX2.frame,
    onlyX2.y,
  );
  const c = await rowContributions(binary, onlyX2.frame);
  assert.match(
    c.method,
    /^integrated gradients \(64 steps, trapezoid\) of the class probabilities from the training means/,
  );
  assert.deepEqual(c.features, ["x0", "x1", "x2", "x3", "color"]);
  assert.deepEqual(c.classes, ["yes"]);
  await assertComplete(binary, onlyX2.frame, c);
  assertX2Dominates(c, 3);
  binary.dispose();

  const multi = await new DenseClassifier({ hiddenUnits: [16], epochs: 20, seed: 0 }).fit(
    threeWay.frame.take([...Array(120).keys()]),
    threeWay.y.slice(0, 120),
  );
  const m = await rowContributions(multi, threeWay.frame);
  assert.deepEqual(m.classes, ["a", "b", "c"]);
  await assertComplete(multi, threeWay.frame, m);
  // Every class is explained: each row's values plus bias, over the classes, add up to 1 like the probabilities.
  for (const row of totals(m)) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-2);
  multi.dispose();
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
});

test("integrated gradients of logistic regression: complete within 1e-2, also without standardisation", async () => {
  for (const standardize of [true, false]) {
    for (const data of [onlyX2, threeWay]) {
      const model = await new LogisticRegression({ standardize }).fit(data.frame, data.y);
      const c = await rowContributions(model, data.frame);
      assert.match(c.method, standardize ? /from the training means/ : /from the training medians/);
      await assertComplete(model, data.frame, c);
      if (data === onlyX2) assertX2Dominates(c, 3);
      model.dispose();
    }
  }
});

test("other kinds are refused with the kinds that are supported", async () => {
  const vote = new VotingClassifier({ members: [{ kind: "logistic", params: {} }] });
  await assert.rejects(
    // A table vote, refused by its kind (its input is typed as either data).
    rowContributions(vote as unknown as Parameters<typeof rowContributions>[0], onlyX2.frame),
    (e: unknown) =>
      e instanceof StrataError &&
      /per-row contributions are for xgboost \(TreeSHAP\), dense \(integrated gradients\), logistic \(integrated gradients\), xgboost-regressor \(TreeSHAP\), dense-regressor \(integrated gradients\), ridge \(exact\); this model is "vote" \(ensembles are not supported/.test(
        e.message,
      ),
  );
});
