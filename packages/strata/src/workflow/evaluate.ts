import type { Frame } from "../data/frame.js";
import { checkFiniteProba } from "../data/row-error.js";
import { StrataError } from "../errors.js";
import type { Classifier } from "../estimators/estimator.js";
import { encodeLabels } from "../estimators/labels.js";
import {
  accuracy,
  type ClassificationReport,
  classificationReport,
  logLoss,
} from "../metrics/classification.js";
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
  /** For an ensemble: each member's own score on the same examples, beside the ensemble's. */
  readonly members?: readonly MemberScore[];
}

/** One ensemble member's score on the examples its ensemble was scored on. */
export interface MemberScore {
  readonly name: string;
  readonly accuracy: number;
  readonly logLoss: number;
}

/** What an ensemble adds to a classifier: each member's probabilities beside the combined ones. */
interface VotingModel<X> {
  predictVotesReadable(x: X): Promise<{
    readonly members: readonly { readonly name: string; readonly proba: Matrix }[];
    readonly combined: Matrix;
    readonly kept: readonly number[];
    readonly skipped: readonly { readonly input: string; readonly reason: string }[];
  }>;
}

function hasVotes<X>(model: Classifier<X>): model is Classifier<X> & VotingModel<X> {
  return typeof (model as Partial<VotingModel<X>>).predictVotesReadable === "function";
}

/**
 * Scores a fitted classifier of any input kind on labelled examples: accuracy, per-class
 * metrics, confusion matrix, log loss, AUC. Examples whose input cannot be read (an unreadable
 * image) are left out and listed; a StrataError if none can be read.
 */
export async function scoreClassifier<X>(model: Classifier<X>, data: Labelled<X>): Promise<Scored> {
  const classes = [...model.classes];
  if (hasVotes(model)) {
    // One pass gives the ensemble's probabilities and every member's.
    const votes = await model.predictVotesReadable(data.x);
    const scored = scoreProba(classes, data.y, votes.combined, votes.kept, votes.skipped);
    const truth = encodeLabels(
      votes.kept.map((i) => data.y[i]),
      classes,
    );
    const members = votes.members.map((m) => {
      checkFiniteProba(m.proba, (r) => votes.kept[r], `the member ${m.name}'s`);
      return {
        name: m.name,
        accuracy: accuracy(truth, argmaxRows(m.proba)),
        logLoss: logLoss(truth, m.proba),
      };
    });
    return { ...scored, members };
  }
  const prediction = model.predictReadable
    ? await model.predictReadable(data.x)
    : {
        proba: await model.predictProba(data.x),
        kept: Array.from(data.y, (_, i) => i),
        skipped: [],
      };
  return scoreProba(classes, data.y, prediction.proba, prediction.kept, prediction.skipped);
}

/**
 * The report of probabilities for the kept examples (a StrataError when none were kept; a
 * RowError naming the example, by its index in `y`, whose probabilities are not numbers).
 */
function scoreProba(
  classes: string[],
  y: readonly string[],
  proba: Matrix,
  kept: readonly number[],
  skipped: Scored["skipped"],
): Scored {
  if (kept.length === 0)
    throw new StrataError(
      `none of the ${y.length} examples could be read (first: ${skipped[0]?.input}: ${skipped[0]?.reason})`,
    );
  checkFiniteProba(proba, (r) => kept[r]);
  const truth = encodeLabels(
    kept.map((i) => y[i]),
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
