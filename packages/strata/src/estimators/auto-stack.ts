import type { Frame } from "../data/frame.js";
import { accuracy, logLoss } from "../metrics/classification.js";
import { argmaxRows, type Matrix, takeRows } from "../util/matrix.js";
import type { CombinerData } from "./ensemble-types.js";
import type { AnyClassifier, Classifier, FitSummary, TableInput } from "./estimator.js";
import type { LabelType } from "./label-values.js";
import { StackingEnsemble } from "./stacking-ensemble.js";

/** The rows a meta-model learns from or predicts: the members' out-of-fold probabilities and the rows. */
export interface MetaRows {
  readonly x: Frame;
  /** Each member's probabilities for the rows, shape [rows, classes]. */
  readonly proba: readonly Matrix[];
}

/**
 * A stack whose members' out-of-fold probabilities were computed already: the AutoClassifier's
 * cross-validation of the single candidates gives them, over the folds a stack with the same
 * folds and seed would use. Its meta-model is learnt and applied as StackingEnsemble does (the
 * same meta-features, passthrough included), and the fitted stack is an ordinary one: kind
 * "stack", saved and loaded as any.
 */
export class AutoStack extends StackingEnsemble {
  /** A meta-model fitted on `rows` (y their labels), as the stack fits its own. */
  fitMeta(
    rows: MetaRows,
    labels: Pick<CombinerData, "y" | "yIndex" | "groups" | "classes" | "fitOptions">,
  ): Promise<Classifier<TableInput>> {
    return this.learnCombiner({ ...labels, x: rows.x, names: this.memberNames, outOfFold: rows.proba });
  }

  /** The stack's probabilities for `rows` through a meta-model from fitMeta. */
  predictMeta(rows: MetaRows, meta: Classifier<TableInput>): Promise<Matrix> {
    return this.combine(rows.proba, rows.x, meta);
  }

  /**
   * Makes this the stack of `members` (each fitted on every row) and `meta` (fitted on their
   * out-of-fold probabilities `outOfFold`), as fit would have; it owns them from now on.
   */
  adopt(fitted: {
    readonly members: readonly AnyClassifier[];
    readonly meta: Classifier<TableInput>;
    readonly outOfFold: readonly Matrix[];
    readonly yIndex: Int32Array;
    readonly classes: readonly string[];
    readonly labelType: LabelType;
    readonly summary: FitSummary;
  }): this {
    this.dispose();
    this.state = {
      classes: fitted.classes,
      labelType: fitted.labelType,
      members: fitted.members,
      combiner: fitted.meta,
      summary: fitted.summary,
      outOfFold: fitted.outOfFold.map((p, i) => ({
        name: this.memberNames[i],
        accuracy: accuracy(fitted.yIndex, argmaxRows(p)),
        logLoss: logLoss(fitted.yIndex, p),
      })),
    };
    return this;
  }
}

/** The meta-rows of some rows: x's and each member's probabilities at `indices`. */
export function metaRows(x: Frame, proba: readonly Matrix[], indices: readonly number[]): MetaRows {
  return { x: x.take(indices), proba: proba.map((p) => takeRows(p, indices)) };
}
