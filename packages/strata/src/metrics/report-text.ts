import type { ClassificationReport } from "./report-types.js";

/* The text form of a classification report, as scikit-learn's `classification_report` prints it. */

/** Right-aligns every cell of every row to its column's widest cell; first column left-aligned. */
function alignTable(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((cell, j) => {
      widths[j] = Math.max(widths[j] ?? 0, cell.length);
    });
  }
  return rows.map((r) =>
    r
      .map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j])))
      .join("  ")
      .trimEnd(),
  );
}

/** The sklearn-style per-class table, accuracy and averages. */
function metricsTable(r: ClassificationReport): string[] {
  const f = (v: number): string => v.toFixed(3);
  const weighted = (key: "precision" | "recall") =>
    r.perClass.reduce((s, m) => s + m[key] * m.support, 0) / r.n;
  const rows: string[][] = [["", "precision", "recall", "f1-score", "support"]];
  for (const m of r.perClass) rows.push([m.label, f(m.precision), f(m.recall), f(m.f1), String(m.support)]);
  rows.push(["accuracy", "", "", f(r.accuracy), String(r.n)]);
  rows.push(["macro avg", f(r.macroPrecision), f(r.macroRecall), f(r.macroF1), String(r.n)]);
  rows.push(["weighted avg", f(weighted("precision")), f(weighted("recall")), f(r.weightedF1), String(r.n)]);
  const lines = alignTable(rows);
  const k = r.perClass.length;
  return [lines[0], "", ...lines.slice(1, k + 1), "", ...lines.slice(k + 1)];
}

/** The confusion matrix with true labels as rows and predicted labels as columns. */
function confusionTable(r: ClassificationReport): string[] {
  const header = ["true \\ pred", ...r.labels];
  const rows = [header, ...r.confusionMatrix.map((counts, i) => [r.labels[i], ...counts.map(String)])];
  return ["Confusion matrix (rows: true, columns: predicted)", ...alignTable(rows)];
}

/**
 * Human-readable multi-line text: per-class precision/recall/F1/support table with accuracy,
 * macro and weighted averages (like sklearn's `classification_report`), balanced accuracy,
 * log loss and ROC AUC when present, then the labelled confusion matrix.
 */
export function formatReport(r: ClassificationReport): string {
  const lines = metricsTable(r);
  const leftOut = r.macroLeftOut;
  if (leftOut.length > 0)
    lines.push(
      `note: the macro averages leave out ${leftOut.join(", ")}: no test rows and never predicted (as scikit-learn does)`,
    );
  lines.push("", `balanced accuracy: ${r.balancedAccuracy.toFixed(4)}`);
  if (!Number.isNaN(r.logLoss)) lines.push(`log loss: ${r.logLoss.toFixed(4)}`);
  if (r.rocAuc !== undefined) lines.push(`ROC AUC: ${r.rocAuc.toFixed(4)}`);
  lines.push("", ...confusionTable(r));
  return lines.join("\n");
}
