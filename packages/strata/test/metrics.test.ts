import assert from "node:assert/strict";
import { test } from "node:test";
import { StrataError } from "../src/errors.js";
import {
  accuracy,
  balancedAccuracy,
  classificationReport,
  confusionMatrix,
  formatReport,
  logLoss,
  meanStd,
  perClassMetrics,
  rocAuc,
} from "../src/metrics/index.js";
import { matrix } from "../src/util/matrix.js";

function close(actual: number, expected: number, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual} (tolerance ${tol})`);
}

/** A [rows, cols] matrix from nested arrays (stored as float32). */
function probaMatrix(rows: number[][]): ReturnType<typeof matrix> {
  return matrix(rows.length, rows[0].length, Float32Array.from(rows.flat()));
}

// Three classes, ten samples.
//   index:  0  1  2  3  4  5  6  7  8  9
//   yTrue:  0  0  0  0  1  1  1  2  2  2
//   yPred:  0  0  1  2  1  1  0  2  2  1
// Confusion matrix [true][pred]:
//   true 0 (samples 0-3): pred 0,0,1,2 -> [2, 1, 1]
//   true 1 (samples 4-6): pred 1,1,0   -> [1, 2, 0]
//   true 2 (samples 7-9): pred 2,2,1   -> [0, 1, 2]
// Column sums (times predicted): [3, 4, 3]; row sums (support): [4, 3, 3].
const LABELS3 = ["cat", "dog", "bird"];
const Y_TRUE3 = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const Y_PRED3 = [0, 0, 1, 2, 1, 1, 0, 2, 2, 1];

test("confusionMatrix counts [true][pred] pairs", () => {
  assert.deepEqual(confusionMatrix(Y_TRUE3, Y_PRED3, 3), [
    [2, 1, 1],
    [1, 2, 0],
    [0, 1, 2],
  ]);
  // Typed arrays work too.
  assert.deepEqual(confusionMatrix(Int32Array.from([1, 0]), Float32Array.from([1, 1]), 2), [
    [0, 1],
    [0, 1],
  ]);
});

test("accuracy: correct / n", () => {
  // Diagonal 2 + 2 + 2 = 6 correct of 10.
  assert.equal(accuracy(Y_TRUE3, Y_PRED3), 0.6);
  assert.equal(accuracy([1, 1], [1, 1]), 1);
});

test("perClassMetrics on the 3-class example", () => {
  const cm = confusionMatrix(Y_TRUE3, Y_PRED3, 3);
  const m = perClassMetrics(cm, LABELS3);
  // cat:  tp=2, fp=3-2=1, fn=4-2=2 -> P=2/3, R=2/4=0.5, F1=2*2/(2*2+1+2)=4/7
  // dog:  tp=2, fp=4-2=2, fn=3-2=1 -> P=2/4=0.5, R=2/3, F1=4/(4+2+1)=4/7
  // bird: tp=2, fp=3-2=1, fn=3-2=1 -> P=2/3, R=2/3, F1=4/(4+1+1)=2/3
  const expected = [
    { label: "cat", precision: 2 / 3, recall: 0.5, f1: 4 / 7, support: 4 },
    { label: "dog", precision: 0.5, recall: 2 / 3, f1: 4 / 7, support: 3 },
    { label: "bird", precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 },
  ];
  assert.equal(m.length, 3);
  m.forEach((got, i) => {
    const want = expected[i];
    assert.equal(got.label, want.label);
    assert.equal(got.support, want.support);
    close(got.precision, want.precision);
    close(got.recall, want.recall);
    close(got.f1, want.f1);
  });
});

test("classificationReport on the 3-class example (no probabilities)", () => {
  const r = classificationReport(Y_TRUE3, Y_PRED3, LABELS3);
  assert.equal(r.n, 10);
  assert.deepEqual(r.labels, LABELS3);
  assert.equal(r.accuracy, 0.6);
  // macro P = (2/3 + 1/2 + 2/3) / 3 = (11/6) / 3 = 11/18 ≈ 0.6111
  close(r.macroPrecision, 11 / 18);
  // macro R = (1/2 + 2/3 + 2/3) / 3 = 11/18
  close(r.macroRecall, 11 / 18);
  // every class occurs in yTrue, so balanced accuracy = macro recall = 11/18
  close(r.balancedAccuracy, 11 / 18);
  // macro F1 = (4/7 + 4/7 + 2/3) / 3 = (24/21 + 14/21) / 3 = 38/63 ≈ 0.6032
  close(r.macroF1, 38 / 63);
  // weighted F1 = (4*4/7 + 3*4/7 + 3*2/3) / 10 = (16/7 + 12/7 + 2) / 10 = (4 + 2) / 10 = 0.6
  close(r.weightedF1, 0.6);
  assert.ok(Number.isNaN(r.logLoss));
  assert.equal(r.rocAuc, undefined);
  assert.deepEqual(r.confusionMatrix, [
    [2, 1, 1],
    [1, 2, 0],
    [0, 1, 2],
  ]);
});

test("zero division gives 0; balanced accuracy skips classes absent from yTrue", () => {
  // yTrue = [0, 0, 1, 1], yPred = [0, 2, 1, 1], k = 3
  // cm = [[1, 0, 1], [0, 2, 0], [0, 0, 0]]
  const yTrue = [0, 0, 1, 1];
  const yPred = [0, 2, 1, 1];
  const r = classificationReport(yTrue, yPred, ["a", "b", "c"]);
  assert.deepEqual(r.confusionMatrix, [
    [1, 0, 1],
    [0, 2, 0],
    [0, 0, 0],
  ]);
  // c: tp=0, predicted once -> P = 0/1 = 0; support 0 -> R = 0/0 -> 0; F1 = 0/(0+1+0) = 0
  assert.deepEqual(r.perClass[2], { label: "c", precision: 0, recall: 0, f1: 0, support: 0 });
  // a: P = 1/1 = 1, R = 1/2, F1 = 2/(2+0+1) = 2/3;  b: P = R = F1 = 1
  close(r.perClass[0].f1, 2 / 3);
  // balanced accuracy over classes in yTrue only: (1/2 + 1) / 2 = 0.75
  assert.equal(r.balancedAccuracy, 0.75);
  assert.equal(balancedAccuracy(yTrue, yPred, 3), 0.75);
  // macro recall is over all k = 3 labels: (1/2 + 1 + 0) / 3 = 0.5
  close(r.macroRecall, 0.5);
  // macro precision = (1 + 1 + 0) / 3 = 2/3; macro F1 = (2/3 + 1 + 0) / 3 = 5/9
  close(r.macroPrecision, 2 / 3);
  close(r.macroF1, 5 / 9);
  // weighted F1 = (2 * 2/3 + 2 * 1 + 0 * 0) / 4 = (4/3 + 2) / 4 = 5/6
  close(r.weightedF1, 5 / 6);
  // a class never predicted and never present: all zeros
  assert.deepEqual(perClassMetrics([[0]], ["x"]), [
    { label: "x", precision: 0, recall: 0, f1: 0, support: 0 },
  ]);
});

test("macro averages follow scikit-learn: classes in yTrue or yPred only; the rest are named", () => {
  // Five classes: "d" is only predicted (it takes part, with precision, recall and F1 0), "e" has
  // no rows and no predictions (left out). Expected values from scikit-learn 1.2.1:
  //   yt = [0, 0, 1, 1, 1, 2, 0, 2]; yp = [0, 1, 1, 1, 2, 2, 3, 2]
  //   precision_score / recall_score / f1_score(yt, yp, average=..., zero_division=0),
  //   balanced_accuracy_score(yt, yp)
  const yTrue = [0, 0, 1, 1, 1, 2, 0, 2];
  const yPred = [0, 1, 1, 1, 2, 2, 3, 2];
  const r = classificationReport(yTrue, yPred, ["a", "b", "c", "d", "e"]);
  close(r.macroPrecision, 0.5833333333333333);
  close(r.macroRecall, 0.5);
  close(r.macroF1, 0.49166666666666664);
  close(r.weightedF1, 0.6375);
  close(r.balancedAccuracy, 0.6666666666666666);
  assert.deepEqual(r.macroLeftOut, ["e"]);
  // The table's weighted averages (precision 0.79, recall 0.62 in scikit-learn's report).
  const text = formatReport(r);
  assert.match(text, /^weighted avg\s+0\.792\s+0\.625\s+0\.637\s+8$/m);
  assert.match(text, /^macro avg\s+0\.583\s+0\.500\s+0\.492\s+8$/m);
  assert.match(text, /^note: the macro averages leave out e: no test rows and never predicted/m);
  // Every class present: nothing left out, and no note.
  const full = classificationReport(Y_TRUE3, Y_PRED3, LABELS3);
  assert.deepEqual(full.macroLeftOut, []);
  assert.doesNotMatch(formatReport(full), /leave out/);
});

test("logLoss: mean of -ln p(true class)", () => {
  // rows (true class marked *):
  //   [*0.5, 0.25, 0.25]  -> -ln 0.5  = 0.6931471805599453
  //   [0.25, *0.5, 0.25]  -> -ln 0.5  = 0.6931471805599453
  //   [0.25, 0.25, *0.5]  -> -ln 0.5  = 0.6931471805599453
  //   [0.5, 0.25, *0.25]  -> -ln 0.25 = 1.3862943611198906
  // mean = (3 * 0.6931471805599453 + 1.3862943611198906) / 4 = 3.4657359027997265 / 4 = 0.8664339756999316
  const proba = probaMatrix([
    [0.5, 0.25, 0.25],
    [0.25, 0.5, 0.25],
    [0.25, 0.25, 0.5],
    [0.5, 0.25, 0.25],
  ]);
  close(logLoss([0, 1, 2, 2], proba), 0.8664339756999316);
});

test("logLoss clips to [eps, 1-eps] and renormalises rows (sklearn 1.2)", () => {
  // Row [0.125, 0.125, 0.25] sums to 0.5 -> renormalised [0.25, 0.25, 0.5]; true class 2 -> -ln 0.5
  close(logLoss([2], probaMatrix([[0.125, 0.125, 0.25]])), Math.LN2); // ln 2 = 0.6931471805599453
  // Row [0, 1], true class 0: clipped to [1e-15, 1 - 1e-15] (sum 1) -> -ln(1e-15) = 15 ln 10 = 34.538776394910684
  close(logLoss([0], probaMatrix([[0, 1]])), 34.538776394910684, 1e-9);
  // A larger eps: [0, 1] with eps = 0.1 -> [0.1, 0.9] -> -ln 0.1 = 2.302585092994046
  close(logLoss([0], probaMatrix([[0, 1]]), 0.1), Math.LN10); // ln 10 = 2.302585092994046
});

test("rocAuc: sklearn's classic example", () => {
  // scores: neg 0.1, 0.4; pos 0.35, 0.8. Ranks: 0.1->1, 0.35->2, 0.4->3, 0.8->4.
  // positive rank sum = 2 + 4 = 6; U = 6 - 2*3/2 = 3; AUC = 3 / (2*2) = 0.75
  assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
});

// Binary example with ties.
//   index:   0    1    2     3    4    5    6    7
//   yTrue:   0    0    1     1    0    1    0    1
//   score:  0.1  0.4  0.35  0.8  0.4  0.4  0.2  0.9
// Sorted: 0.1(n) 0.2(n) 0.35(p) 0.4(n) 0.4(n) 0.4(p) 0.8(p) 0.9(p)
// Ranks:   1      2      3       5      5      5      7      8     (0.4 holds ranks 4,5,6 -> mean 5)
// Positive rank sum = 3 + 5 + 7 + 8 = 23; nPos = nNeg = 4
// U = 23 - 4*5/2 = 13; AUC = 13 / 16 = 0.8125
// Check by pairs: 0.35 beats 0.1, 0.2 (2); 0.4 beats 0.1, 0.2 and ties two 0.4s (2 + 0.5 + 0.5 = 3);
// 0.8 beats all 4; 0.9 beats all 4 -> 2 + 3 + 4 + 4 = 13.
const Y_TRUE2 = [0, 0, 1, 1, 0, 1, 0, 1];
const SCORES2 = [0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9];

test("rocAuc with tied scores uses average ranks", () => {
  assert.equal(rocAuc(Y_TRUE2, SCORES2), 0.8125);
  // All scores tied -> every pair counts 1/2 -> 0.5
  assert.equal(rocAuc([0, 1, 0, 1], [3, 3, 3, 3]), 0.5);
  // Perfectly reversed scores -> 0
  assert.equal(rocAuc([1, 1, 0], [0, 1, 2]), 0);
});

test("classificationReport on a binary example with probabilities", () => {
  const proba = probaMatrix(SCORES2.map((s) => [1 - s, s]));
  // yPred = argmax: score > 0.5 -> 1 (only samples 3 and 7)
  const yPred = [0, 0, 0, 1, 0, 0, 0, 1];
  const r = classificationReport(Y_TRUE2, yPred, ["neg", "pos"], proba);
  // true 0 (samples 0,1,4,6): all predicted 0 -> [4, 0]
  // true 1 (samples 2,3,5,7): predicted 0,1,0,1 -> [2, 2]
  assert.deepEqual(r.confusionMatrix, [
    [4, 0],
    [2, 2],
  ]);
  assert.equal(r.accuracy, 0.75); // (4 + 2) / 8
  // neg: P = 4/6 = 2/3, R = 4/4 = 1, F1 = 8/(8+2+0) = 0.8
  // pos: P = 2/2 = 1, R = 2/4 = 0.5, F1 = 4/(4+0+2) = 2/3
  close(r.perClass[0].f1, 0.8);
  close(r.perClass[1].f1, 2 / 3);
  close(r.balancedAccuracy, 0.75); // (1 + 0.5) / 2
  close(r.macroF1, (0.8 + 2 / 3) / 2); // = 11/15 ≈ 0.7333
  // Probability of the true class per sample:
  //   true 0: 1-0.1=0.9, 1-0.4=0.6, 1-0.4=0.6, 1-0.2=0.8
  //   true 1: 0.35, 0.8, 0.4, 0.9
  // ln: 0.9 -> -0.1053605157, 0.6 -> -0.5108256238, 0.8 -> -0.2231435513, 0.35 -> -1.0498221245, 0.4 -> -0.9162907319
  // sum = 2(-0.1053605157) + 2(-0.5108256238) + 2(-0.2231435513) - 1.0498221245 - 0.9162907319 = -3.6447722381
  // log loss = 3.6447722381 / 8 = 0.4555965298  (float32 storage -> tolerance 1e-6)
  close(r.logLoss, 0.4555965298, 1e-6);
  // AUC uses column 1 (positive class); see the tie example above.
  assert.equal(r.rocAuc, 0.8125);
});

test("classificationReport omits rocAuc when only one class is present", () => {
  const proba = probaMatrix([
    [0.7, 0.3],
    [0.4, 0.6],
  ]);
  const r = classificationReport([0, 0], [0, 1], ["neg", "pos"], proba);
  assert.equal(r.rocAuc, undefined);
  assert.ok(!("rocAuc" in r));
  assert.ok(Number.isFinite(r.logLoss));
});

test("meanStd uses the population standard deviation", () => {
  // mean = 40/8 = 5; squared deviations 9,1,1,1,0,0,4,16 sum to 32; var = 32/8 = 4; std = 2
  assert.deepEqual(meanStd([2, 4, 4, 4, 5, 5, 7, 9]), { mean: 5, std: 2 });
  assert.deepEqual(meanStd([3]), { mean: 3, std: 0 });
  assert.throws(() => meanStd([]), /empty/);
});

test("formatReport: per-class table, summary lines and labelled confusion matrix", () => {
  const text = formatReport(classificationReport(Y_TRUE3, Y_PRED3, LABELS3));
  const lines = text.split("\n");
  assert.match(lines[0], /precision\s+recall\s+f1-score\s+support$/);
  assert.match(text, /^cat\s+0\.667\s+0\.500\s+0\.571\s+4$/m);
  assert.match(text, /^dog\s+0\.500\s+0\.667\s+0\.571\s+3$/m);
  assert.match(text, /^bird\s+0\.667\s+0\.667\s+0\.667\s+3$/m);
  assert.match(text, /^accuracy\s+0\.600\s+10$/m);
  assert.match(text, /^macro avg\s+0\.611\s+0\.611\s+0\.603\s+10$/m);
  // weighted P = (4*2/3 + 3*1/2 + 3*2/3)/10 = (8/3 + 3/2 + 2)/10 = 6.1667/10; weighted R = accuracy = 0.6
  assert.match(text, /^weighted avg\s+0\.617\s+0\.600\s+0\.600\s+10$/m);
  assert.match(text, /^balanced accuracy: 0\.6111$/m);
  assert.doesNotMatch(text, /log loss|ROC AUC/);
  // Numeric columns are right-aligned: every table row ends at the same column.
  const tableEnd = lines.findIndex((l) => l.startsWith("balanced accuracy"));
  const tableRows = lines.slice(1, tableEnd).filter((l) => l !== "");
  assert.equal(tableRows.length, 6);
  assert.ok(tableRows.every((l) => l.length === lines[0].length));
  // Confusion matrix: header of predicted labels, then one row per true label, aligned.
  const start = lines.findIndex((l) => l.startsWith("Confusion matrix"));
  assert.ok(start > 0);
  const cmLines = lines.slice(start + 1, start + 5);
  assert.match(cmLines[0], /cat\s+dog\s+bird$/);
  assert.match(cmLines[1], /^cat\s+2\s+1\s+1$/);
  assert.match(cmLines[2], /^dog\s+1\s+2\s+0$/);
  assert.match(cmLines[3], /^bird\s+0\s+1\s+2$/);
  assert.ok(cmLines.every((l) => l.length === cmLines[0].length));
});

test("formatReport shows log loss and ROC AUC when present", () => {
  const proba = probaMatrix(SCORES2.map((s) => [1 - s, s]));
  const text = formatReport(classificationReport(Y_TRUE2, [0, 0, 0, 1, 0, 0, 0, 1], ["neg", "pos"], proba));
  assert.match(text, /^log loss: 0\.4556$/m);
  assert.match(text, /^ROC AUC: 0\.8125$/m);
});

test("NaN or infinite probabilities are the data's fault: a StrataError naming the row, not an internal error", () => {
  const isRowError = (row: number, value: string) => (e: unknown) =>
    e instanceof StrataError &&
    e.message.startsWith(`row ${row}: the model's probabilities are ${value}, not numbers`);
  assert.throws(
    () =>
      logLoss(
        [0, 1],
        probaMatrix([
          [0.5, 0.5],
          [Number.NaN, 1],
        ]),
      ),
    isRowError(2, "NaN"),
  );
  assert.throws(
    () =>
      classificationReport(
        [0, 1],
        [0, 1],
        ["a", "b"],
        probaMatrix([
          [Number.POSITIVE_INFINITY, 0],
          [0, 1],
        ]),
      ),
    isRowError(1, "Infinity"),
  );
});

test("input validation throws clear errors", () => {
  assert.throws(() => accuracy([0, 1], [0]), /same length, got 2 and 1/);
  assert.throws(() => accuracy([], []), /empty/);
  assert.throws(() => accuracy([0, -1], [0, 0]), /yTrue\[1\] = -1/);
  assert.throws(
    () => confusionMatrix([0, 3], [0, 1], 3),
    /yTrue\[1\] = 3 is not a class index \(expected 0\.\.2\)/,
  );
  assert.throws(() => confusionMatrix([0, 1], [0, 1.5], 3), /yPred\[1\] = 1\.5/);
  assert.throws(() => confusionMatrix([0], [0], 0), /positive integer/);
  assert.throws(() => balancedAccuracy([0, 1], [0, 2], 2), /yPred\[1\] = 2/);
  assert.throws(() => perClassMetrics([[1, 0]], ["a", "b"]), /2×2/);
  assert.throws(() => logLoss([0, 1], probaMatrix([[0.5, 0.5]])), /1 rows but yTrue has 2/);
  assert.throws(() => logLoss([2], probaMatrix([[0.5, 0.5]])), /yTrue\[0\] = 2/);
  assert.throws(() => logLoss([], matrix(0, 2)), /empty/);
  assert.throws(() => rocAuc([1, 1, 1], [0.1, 0.2, 0.3]), /only one class/);
  assert.throws(() => rocAuc([0, 0], [0.1, 0.2]), /only one class/);
  assert.throws(() => rocAuc([0, 2], [0.1, 0.2]), /yTrue\[1\] = 2/);
  assert.throws(() => rocAuc([0, 1], [0.1]), /same length/);
  assert.throws(() => rocAuc([0, 1], [0.1, Number.NaN]), /NaN/);
  assert.throws(() => classificationReport([0], [0], []), /positive integer/);
  assert.throws(
    () => classificationReport([0, 1], [0, 1], ["a", "b"], probaMatrix([[1, 0, 0]])),
    /shape \[2, 2\]/,
  );
  // Errors are plain Errors.
  assert.throws(
    () => rocAuc([1], [0]),
    (e: unknown) => e instanceof Error && e.constructor === Error,
  );
});
