/**
 * Classification metrics with scikit-learn semantics.
 *
 * Class labels are integer indices `0..k-1`; `labels[i]` is the display name of
 * class `i`. Invalid input (length mismatch, empty input, out-of-range index)
 * throws a plain `Error` whose message names the function and the problem. Probabilities
 * that are not finite numbers (a model given values it cannot use) are the data's fault, not
 * a bug: a RowError (a StrataError) names the row.
 */
import { checkFiniteProba } from "../data/row-error.js";
import type { Matrix } from "../util/matrix.js";
import type { ClassificationReport, ClassMetrics } from "./report-types.js";

export { formatReport } from "./report-text.js";
export type { ClassificationReport, ClassMetrics } from "./report-types.js";

function checkNonEmpty(fn: string, name: string, n: number): void {
  if (n === 0) throw new Error(`${fn}: ${name} is empty`);
}

function checkSameLength(fn: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>, names: string): void {
  if (a.length !== b.length) {
    throw new Error(`${fn}: ${names} must have the same length, got ${a.length} and ${b.length}`);
  }
}

function checkClassCount(fn: string, k: number): void {
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`${fn}: number of classes must be a positive integer, got ${k}`);
}

/** Throws unless every value is an integer in [0, k) (k = Infinity: any non-negative integer). */
function checkIndices(fn: string, name: string, values: ArrayLike<number>, k: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= k) {
      const range = Number.isFinite(k) ? `0..${k - 1}` : "a non-negative integer";
      throw new Error(`${fn}: ${name}[${i}] = ${v} is not a class index (expected ${range})`);
    }
  }
}

/** Checks the pair (yTrue, yPred): same non-zero length, indices in [0, k). */
function checkPair(fn: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): void {
  checkSameLength(fn, yTrue, yPred, "yTrue and yPred");
  checkNonEmpty(fn, "yTrue", yTrue.length);
  checkIndices(fn, "yTrue", yTrue, k);
  checkIndices(fn, "yPred", yPred, k);
}

/** `a / b`, or 0 when `b` is 0 (sklearn `zero_division=0`). */
function safeDiv(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function mean(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Counts of (true, predicted) pairs. yTrue, yPred: length n, class indices in [0, k).
 * Returns a k×k array indexed `[true][pred]`.
 */
export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  checkClassCount("confusionMatrix", k);
  checkPair("confusionMatrix", yTrue, yPred, k);
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) cm[yTrue[i]][yPred[i]]++;
  return cm;
}

/** Fraction of positions where yTrue[i] === yPred[i]. yTrue, yPred: length n > 0, non-negative integers. */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkPair("accuracy", yTrue, yPred, Number.POSITIVE_INFINITY);
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** Mean recall over the classes that occur in yTrue (rows of `cm` with non-zero sum). */
function balancedAccuracyFromCm(cm: number[][]): number {
  const recalls: number[] = [];
  cm.forEach((counts, c) => {
    const support = counts.reduce((s, v) => s + v, 0);
    if (support > 0) recalls.push(counts[c] / support);
  });
  return mean(recalls);
}

/**
 * Mean per-class recall over the classes that occur in yTrue (sklearn `balanced_accuracy_score`;
 * classes that are only predicted are ignored). yTrue, yPred: length n, indices in [0, k).
 */
export function balancedAccuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number {
  return balancedAccuracyFromCm(confusionMatrix(yTrue, yPred, k));
}

/** Sum of column `c` of `cm`: how often class c was predicted. */
function columnSum(cm: number[][], c: number): number {
  let sum = 0;
  for (const r of cm) sum += r[c];
  return sum;
}

/**
 * Precision, recall, F1 and support for each class from a k×k confusion matrix `[true][pred]`.
 * labels: length k. A zero denominator gives 0 (sklearn `zero_division=0`).
 */
export function perClassMetrics(cm: number[][], labels: string[]): ClassMetrics[] {
  const k = labels.length;
  if (cm.length !== k || cm.some((r) => r.length !== k)) {
    throw new Error(`perClassMetrics: confusion matrix must be ${k}×${k} to match ${k} labels`);
  }
  return labels.map((label, c) => {
    const tp = cm[c][c];
    const support = cm[c].reduce((s, v) => s + v, 0);
    const predicted = columnSum(cm, c);
    const fp = predicted - tp;
    const fn = support - tp;
    return {
      label,
      precision: safeDiv(tp, predicted),
      recall: safeDiv(tp, support),
      f1: safeDiv(2 * tp, 2 * tp + fp + fn),
      support,
    };
  });
}

/**
 * Mean negative log-likelihood of the true classes (sklearn 1.2 `log_loss`).
 * yTrue: length n, indices in [0, k). proba: shape [n, k]. Each row is clipped to
 * [eps, 1 - eps] and then renormalised to sum to 1 before taking the log.
 */
export function logLoss(yTrue: ArrayLike<number>, proba: Matrix, eps = 1e-15): number {
  const fn = "logLoss";
  checkNonEmpty(fn, "yTrue", yTrue.length);
  if (proba.rows !== yTrue.length) {
    throw new Error(`${fn}: proba has ${proba.rows} rows but yTrue has ${yTrue.length} values`);
  }
  checkIndices(fn, "yTrue", yTrue, proba.cols);
  checkFiniteProba(proba);
  let total = 0;
  for (let r = 0; r < proba.rows; r++) total -= Math.log(clippedProbability(proba, r, yTrue[r], eps));
  return total / proba.rows;
}

/** Row r of proba clipped to [eps, 1-eps] and renormalised; returns the entry at column c. */
function clippedProbability(proba: Matrix, r: number, c: number, eps: number): number {
  let sum = 0;
  let target = 0;
  for (let j = 0; j < proba.cols; j++) {
    const v = proba.data[r * proba.cols + j];
    const p = Math.min(Math.max(v, eps), 1 - eps);
    sum += p;
    if (j === c) target = p;
  }
  return target / sum;
}

/**
 * Area under the ROC curve for a binary problem (Mann–Whitney U with average ranks for ties).
 * yTrue: length n, each 0 or 1 (1 = positive). scores: length n, higher = more positive.
 * Throws if only one class is present in yTrue.
 */
export function rocAuc(yTrue: ArrayLike<number>, scores: ArrayLike<number>): number {
  const fn = "rocAuc";
  checkSameLength(fn, yTrue, scores, "yTrue and scores");
  checkNonEmpty(fn, "yTrue", yTrue.length);
  checkIndices(fn, "yTrue", yTrue, 2);
  for (let i = 0; i < scores.length; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`${fn}: scores[${i}] is NaN`);
  }
  let nPos = 0;
  for (let i = 0; i < yTrue.length; i++) nPos += yTrue[i];
  const nNeg = yTrue.length - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new Error(`${fn}: only one class present in yTrue; ROC AUC is undefined`);
  }
  const ranks = averageRanks(scores);
  let positiveRankSum = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === 1) positiveRankSum += ranks[i];
  return (positiveRankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** 1-based ranks of `values` in ascending order; tied values share the mean of their ranks. */
function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    // Positions start..end-1 hold ranks start+1..end; their mean is (start + 1 + end) / 2.
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) ranks[order[i]] = rank;
    start = end;
  }
  return ranks;
}

/** Checks that proba has shape [n, k] for the report, and finite values (a RowError otherwise). */
function checkProba(proba: Matrix, n: number, k: number): void {
  if (proba.rows !== n || proba.cols !== k) {
    throw new Error(
      `classificationReport: proba must have shape [${n}, ${k}], got [${proba.rows}, ${proba.cols}]`,
    );
  }
  checkFiniteProba(proba);
}

/** ROC AUC of column 1 of a binary proba matrix, or undefined when it is not defined. */
function binaryAuc(yTrue: ArrayLike<number>, proba: Matrix, cm: number[][]): number | undefined {
  if (proba.cols !== 2 || cm[0].every((v) => v === 0) || cm[1].every((v) => v === 0)) return undefined;
  const scores = new Float64Array(proba.rows);
  for (let r = 0; r < proba.rows; r++) scores[r] = proba.data[r * 2 + 1];
  return rocAuc(yTrue, scores);
}

/**
 * All metrics at once. yTrue, yPred: length n, indices in [0, k) with k = labels.length.
 * proba (optional): shape [n, k], class probabilities; enables logLoss and, when k = 2, rocAuc
 * (omitted if yTrue holds only one class). Macro averages are unweighted means over the classes
 * present in yTrue or yPred, as scikit-learn's (its labels=None: `unique_labels(y_true, y_pred)`);
 * a class with neither rows nor predictions is listed in `macroLeftOut`. weightedF1 is weighted
 * by support; balancedAccuracy is the mean recall over the classes present in yTrue.
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  labels: string[],
  proba?: Matrix,
): ClassificationReport {
  const k = labels.length;
  checkClassCount("classificationReport", k);
  const cm = confusionMatrix(yTrue, yPred, k);
  if (proba) checkProba(proba, yTrue.length, k);
  const perClass = perClassMetrics(cm, labels);
  const n = yTrue.length;
  // yTrue is non-empty, so at least one class is present.
  const present = perClass.filter((m, c) => m.support > 0 || columnSum(cm, c) > 0);
  const report: ClassificationReport = {
    accuracy: accuracy(yTrue, yPred),
    balancedAccuracy: balancedAccuracyFromCm(cm),
    macroPrecision: mean(present.map((m) => m.precision)),
    macroRecall: mean(present.map((m) => m.recall)),
    macroF1: mean(present.map((m) => m.f1)),
    weightedF1: perClass.reduce((s, m) => s + m.f1 * m.support, 0) / n,
    macroLeftOut: perClass.filter((m) => !present.includes(m)).map((m) => m.label),
    perClass,
    confusionMatrix: cm,
    logLoss: proba ? logLoss(yTrue, proba) : Number.NaN,
    labels: [...labels],
    n,
  };
  const auc = proba ? binaryAuc(yTrue, proba, cm) : undefined;
  if (auc !== undefined) report.rocAuc = auc;
  return report;
}

/** Mean and population standard deviation (ddof = 0, like numpy's default). values: length > 0. */
export function meanStd(values: number[]): { mean: number; std: number } {
  checkNonEmpty("meanStd", "values", values.length);
  const m = mean(values);
  const variance = mean(values.map((v) => (v - m) ** 2));
  return { mean: m, std: Math.sqrt(variance) };
}
