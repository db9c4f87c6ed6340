import type { TableData } from "../data/plain.js";
import { r2Score, rmse } from "../metrics/regression.js";
import type { FitSummary } from "./estimator.js";
import type { Regressor } from "./regressor.js";
import { type MetaWeights, StackingRegressorEnsemble } from "./stacking-regressor-ensemble.js";

/**
 * A regressor stack whose members' out-of-fold predictions were computed already: the
 * AutoRegressor's cross-validation of the single candidates gives them, over the folds a stack
 * with the same folds and seed would use (both split with regressionSplits). Its Ridge
 * meta-model is learnt and applied as StackingRegressorEnsemble does, and the fitted stack is an
 * ordinary one: kind "stack-regressor", saved and loaded as any (auto-stack.ts's twin).
 */
export class AutoRegressorStack extends StackingRegressorEnsemble {
  /** A meta-model fitted on the members' out-of-fold predictions `outOfFold` of rows whose target is `y`. */
  fitMeta(y: Float64Array, outOfFold: readonly Float64Array[]): Promise<MetaWeights> {
    return this.learnCombiner({ y, names: this.memberNames, outOfFold });
  }

  /** The stack's predictions from the members' (one array per member) through a meta-model from fitMeta. */
  predictMeta(predictions: readonly Float64Array[], meta: MetaWeights): Float64Array {
    return this.combine(predictions, meta);
  }

  /**
   * Makes this the stack of `members` (each fitted on every row) and `meta` (fitted on their
   * out-of-fold predictions `outOfFold` of target `y`), as fit would have; it owns them from now on.
   */
  adopt(fitted: {
    readonly members: readonly Regressor<TableData>[];
    readonly meta: MetaWeights;
    readonly outOfFold: readonly Float64Array[];
    readonly y: Float64Array;
    readonly summary: FitSummary;
  }): this {
    this.dispose();
    this.state = {
      members: fitted.members,
      combiner: fitted.meta,
      summary: fitted.summary,
      outOfFold: fitted.outOfFold.map((p, i) => ({
        name: this.memberNames[i],
        rmse: rmse(fitted.y, p),
        r2: r2Score(fitted.y, p),
      })),
    };
    return this;
  }
}
