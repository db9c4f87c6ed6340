import type { Frame } from "../data/frame.js";
import { StrataError } from "../errors.js";
import type { Classifier } from "../estimators/estimator.js";
import { encodeLabels } from "../estimators/labels.js";
import { type ClassificationReport, classificationReport } from "../metrics/classification.js";
import { argmaxRows, type Matrix } from "../util/matrix.js";
import type { LabelledRows } from "./dataset.js";
import type { Labelled } from "./labelled.js";

/** A classifier's predictions on labelled examples, scored. */
export interface Scored {
  readonly report: ClassificationReport;
  /** Probabilities of the examples that could be read, shape [kept.length, classes]. */
  readonly proba: Matrix;
  /** Indices of the scored examples (all of them, unless some inputs could not be read). */
  readonly kept: readonly number[];
  /** Inputs left out (unreadable images), with the reason. */
  readonly skipped: readonly { readonly input: string; readonly reason: string }[];
}

/**
 * Scores a fitted classifier of any input kind on labelled examples: accuracy, per-class
 * metrics, confusion matrix, log loss, AUC. Examples whose input cannot be read (an unreadable
 * image) are left out and listed; a StrataError if none can be read.
 */
export async function scoreClassifier<X>(model: Classifier<X>, data: Labelled<X>): Promise<Scored> {
  const classes = [...model.classes];
  const prediction = model.predictReadable
    ? await model.predictReadable(data.x)
    : {
        proba: await model.predictProba(data.x),
        kept: Array.from(data.y, (_, i) => i),
        skipped: [],
      };
  const { proba, kept, skipped } = prediction;
  if (kept.length === 0)
    throw new StrataError(
      `none of the ${data.y.length} examples could be read (first: ${skipped[0]?.input}: ${skipped[0]?.reason})`,
    );
  const truth = encodeLabels(
    kept.map((i) => data.y[i]),
    classes,
  );
  const report = classificationReport(truth, argmaxRows(proba), classes, proba);
  return { report, proba, kept, skipped };
}

/** Scores a fitted table classifier on labelled rows (see scoreClassifier). */
export async function evaluateClassifier(
  model: Classifier<Frame>,
  rows: LabelledRows,
): Promise<ClassificationReport> {
  return (await scoreClassifier(model, { x: rows.frame, y: rows.y })).report;
}
