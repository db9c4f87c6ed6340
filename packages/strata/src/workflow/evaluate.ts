import type { Frame } from "../data/frame.js";
import type { Classifier } from "../estimators/estimator.js";
import { encodeLabels } from "../estimators/labels.js";
import { type ClassificationReport, classificationReport } from "../metrics/classification.js";
import { argmaxRows } from "../util/matrix.js";
import type { LabelledRows } from "./dataset.js";

/** Scores a fitted classifier on labelled rows: accuracy, per-class metrics, confusion matrix, log loss, AUC. */
export async function evaluateClassifier(
  model: Classifier<Frame>,
  rows: LabelledRows,
): Promise<ClassificationReport> {
  const proba = await model.predictProba(rows.frame);
  const classes = [...model.classes];
  return classificationReport(encodeLabels(rows.y, classes), argmaxRows(proba), classes, proba);
}
