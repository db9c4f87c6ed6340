/**
 * Regression metrics with scikit-learn's definitions, and the target-quantile bins that let a
 * numeric target be stratified. Invalid input (length mismatch, empty input, a value that is not
 * a finite number) throws a plain `Error` naming the function and the problem, as the
 * classification metrics do.
 */

/** RMSE, MAE and R² of one set of predictions. */
export interface RegressionScores {
  /** √(mean squared error). */
  readonly rmse: number;
  /** Mean absolute error. */
  readonly mae: number;
  /** scikit-learn's r2_score (see {@link r2Score}). */
  readonly r2: number;
}

/** A model's scores, beside those of predicting the training mean for every row. */
export interface RegressionReport extends RegressionScores {
  readonly baseline: RegressionScores;
}

function checkValues(fn: string, name: string, values: ArrayLike<number>): void {
  if (values.length === 0) throw new Error(`${fn}: ${name} is empty`);
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]))
      throw new Error(`${fn}: ${name}[${i}] = ${values[i]} is not a finite number`);
}

function checkPair(fn: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
  if (yTrue.length !== yPred.length)
    throw new Error(
      `${fn}: yTrue and yPred must have the same length, got ${yTrue.length} and ${yPred.length}`,
    );
  checkValues(fn, "yTrue", yTrue);
  checkValues(fn, "yPred", yPred);
}

/** √(mean of (yTrue − yPred)²), as scikit-learn's mean_squared_error(squared=False). */
export function rmse(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair("rmse", yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += (yTrue[i] - yPred[i]) ** 2;
  return Math.sqrt(sum / yTrue.length);
}

/** Mean of |yTrue − yPred|, as scikit-learn's mean_absolute_error. */
export function mae(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair("mae", yTrue, yPred);
  let sum = 0;
  for (let i = 0; i < yTrue.length; i++) sum += Math.abs(yTrue[i] - yPred[i]);
  return sum / yTrue.length;
}

/**
 * The coefficient of determination 1 − SS_res / SS_tot, with scikit-learn's r2_score conventions
 * (force_finite=True): when yTrue is constant (SS_tot = 0) it is 1 for exact predictions and 0
 * otherwise, rather than NaN or −∞; with fewer than two rows it is NaN (not defined; scikit-learn
 * warns and returns NaN too). It can be negative: worse than predicting yTrue's own mean.
 */
export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair("r2Score", yTrue, yPred);
  const n = yTrue.length;
  if (n < 2) return Number.NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    ssRes += (yTrue[i] - yPred[i]) ** 2;
    ssTot += (yTrue[i] - mean) ** 2;
  }
  if (ssTot === 0) return ssRes === 0 ? 1 : 0;
  return 1 - ssRes / ssTot;
}

function scores(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionScores {
  return { rmse: rmse(yTrue, yPred), mae: mae(yTrue, yPred), r2: r2Score(yTrue, yPred) };
}

/**
 * RMSE, MAE and R² of `yPred` against `yTrue`, and the same for the baseline that predicts
 * `trainMean` (the training rows' mean target) for every row. The baseline's R² on held-out rows
 * is at most 0, and 0 only when the test rows' mean equals the training mean.
 */
export function regressionReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  trainMean: number,
): RegressionReport {
  if (!Number.isFinite(trainMean))
    throw new Error(`regressionReport: trainMean = ${trainMean} is not a finite number`);
  const baseline = new Float64Array(yTrue.length).fill(trainMean);
  return { ...scores(yTrue, yPred), baseline: scores(yTrue, baseline) };
}

/**
 * The target-quantile bin of each value, 0 … bins − 1, so that a numeric target can be
 * stratified (k-fold or hold-out with `stratify`): pandas' `qcut(y, k, labels=False,
 * duplicates="drop")`. The edges are the k-quantiles of y (numpy's linear interpolation), the
 * minimum and maximum included, repeated edges dropped; bins are right-closed, the lowest also
 * holding the minimum. A target with many ties (wine scores 3 … 8) gets fewer than k bins.
 */
export function quantileBins(y: ArrayLike<number>, k: number): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new Error(`quantileBins: k must be an integer >= 1, got ${k}`);
  checkValues("quantileBins", "y", y);
  const sorted = Float64Array.from(y).sort();
  const n = sorted.length;
  const quantile = (q: number): number => {
    const at = q * (n - 1);
    const lo = Math.floor(at);
    const hi = Math.min(lo + 1, n - 1);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
  };
  const edges: number[] = [];
  for (let j = 0; j <= k; j++) {
    const e = j === 0 ? sorted[0] : j === k ? sorted[n - 1] : quantile(j / k);
    if (edges.length === 0 || e > edges[edges.length - 1]) edges.push(e);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // The number of edges below the value, less one (searchsorted left − 1), the minimum in bin 0.
    let below = 0;
    while (below < edges.length && edges[below] < y[i]) below++;
    out[i] = Math.max(0, below - 1);
  }
  return out;
}
