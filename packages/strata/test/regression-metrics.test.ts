import assert from "node:assert/strict";
import { test } from "node:test";
import { mae, quantileBins, r2Score, regressionReport, rmse } from "../src/metrics/regression.js";
import { kFold } from "../src/split/kfold.js";
import { Rng } from "../src/util/random.js";

/*
 * Expected values computed once with scikit-learn 1.2.1 and numpy 1.24.2 (Debian's python3):
 *   from sklearn.metrics import mean_squared_error, mean_absolute_error, r2_score
 *   t = [3, -0.5, 2, 7, 4.2]; p = [2.5, 0.0, 2, 8, 3.9]; b = [3.1] * 5
 *   mean_squared_error(t, p, squared=False), mean_absolute_error(t, p), r2_score(t, p)  (and for b)
 * and pandas.qcut(y, k, labels=False, duplicates="drop")'s rule through numpy (pandas is not
 * installed there): e = np.unique(np.quantile(y, np.linspace(0, 1, k + 1)));
 *   np.maximum(np.searchsorted(e, y, side="left") - 1, 0)
 */
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual}, expected ${expected}`);

test("rmse, mae and r2 as scikit-learn computes them, with the training-mean baseline", () => {
  const t = [3, -0.5, 2, 7, 4.2];
  const p = [2.5, 0.0, 2, 8, 3.9];
  const report = regressionReport(t, p, 3.1);
  close(report.rmse, 0.5639148871948674, "rmse");
  close(report.mae, 0.4600000000000001, "mae");
  close(report.r2, 0.9480256276150627, "r2");
  close(report.baseline.rmse, 2.4738633753705965, "baseline rmse");
  close(report.baseline.mae, 1.9600000000000002, "baseline mae");
  close(report.baseline.r2, -0.00026150627615062483, "baseline r2");
  close(rmse(Float64Array.from(t), Float64Array.from(t)), 0, "rmse of exact predictions (typed arrays too)");
  close(mae(t, t), 0, "mae of exact predictions");
});

test("r2 follows r2_score's conventions: a constant target gives 1 when exact, else 0; one row gives NaN", () => {
  assert.equal(r2Score([2, 2, 2], [2, 2, 2]), 1);
  assert.equal(r2Score([2, 2, 2], [2, 2, 2.5]), 0);
  assert.ok(Number.isNaN(r2Score([2], [2])));
  assert.ok(r2Score([1, 2, 3], [3, 2, 1]) < 0, "worse than the mean is negative");
});

test("bad input is refused naming the function and the value", () => {
  assert.throws(() => rmse([1, 2], [1]), /rmse: yTrue and yPred must have the same length, got 2 and 1/);
  assert.throws(() => mae([], []), /mae: yTrue is empty/);
  assert.throws(() => r2Score([1, Number.NaN], [1, 2]), /r2Score: yTrue\[1\] = NaN is not a finite number/);
  assert.throws(() => regressionReport([1, 2], [1, 2], Number.NaN), /trainMean = NaN/);
  assert.throws(() => quantileBins([1, 2], 0), /quantileBins: k must be an integer >= 1, got 0/);
});

test("quantileBins: pandas.qcut's bins, ties kept together and repeated edges dropped", () => {
  assert.deepEqual(
    Array.from(quantileBins([5, 5, 6, 7, 5, 6, 3, 8, 6, 5, 4, 6], 5)),
    [0, 0, 1, 2, 0, 1, 0, 2, 1, 0, 0, 1],
  );
  assert.deepEqual(
    Array.from(quantileBins([0.3, 1.7, -2.2, 4.0, 0.9, 2.5, -0.1, 3.3, 1.1, 0.0], 4)),
    [1, 2, 0, 3, 1, 3, 0, 3, 2, 0],
  );
  assert.deepEqual(Array.from(quantileBins([1, 1, 1, 1], 3)), [0, 0, 0, 0]);
});

test("quantileBins stratify k-fold on a numeric target: every fold's mean target is close to the whole's", () => {
  const rng = new Rng(3);
  // A skewed target: most values small, a long tail.
  const y = Array.from({ length: 500 }, () => Math.exp(3 * rng.next()));
  const mean = (idx: readonly number[]) => idx.reduce((a, i) => a + y[i], 0) / idx.length;
  const all = mean(y.map((_, i) => i));
  const spread = (folds: { test: number[] }[]) => Math.max(...folds.map((f) => Math.abs(mean(f.test) - all)));
  const stratified = spread(kFold(y.length, { k: 5, seed: 0, stratify: quantileBins(y, 10) }));
  const plain = spread(kFold(y.length, { k: 5, seed: 0 }));
  // Measured: stratified 1.5% of the mean, plain 8%.
  assert.ok(stratified < 0.03 * all, `stratified folds' means differ by up to ${stratified} from ${all}`);
  assert.ok(stratified < plain / 2, `stratified ${stratified}, plain ${plain}`);
});
