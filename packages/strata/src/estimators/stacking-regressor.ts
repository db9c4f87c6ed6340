import { builtInKinds } from "./built-in-kinds.js";
import type { KindResolver } from "./descriptor.js";
import type { Manifest } from "./estimator.js";
import type { StackingRegressorParams } from "./regressor-ensemble-params.js";
import { StackingRegressorEnsemble } from "./stacking-regressor-ensemble.js";

export {
  STACKING_REGRESSOR_DEFAULTS,
  STACKING_REGRESSOR_PARAMS,
  type StackingRegressorParams,
} from "./regressor-ensemble-params.js";
export type { MetaWeights } from "./stacking-regressor-ensemble.js";

/**
 * Stacked generalisation for regressors (Wolpert 1992; scikit-learn's StackingRegressor): a
 * Ridge meta-model (`alpha`) on each member's out-of-fold predictions over `folds` k-fold splits
 * (grouped when fit gets `groups`), then every member refit on all rows (see
 * StackingRegressorEnsemble). A member is named by a regressor kind or by its classifier's
 * ("dense" is dense-regressor, "logistic" ridge).
 *
 * ```ts
 * const stack = new StackingRegressor({
 *   members: [{ kind: "ridge", params: {} }, { kind: "xgboost-regressor", params: { maxDepth: 4 } }],
 *   folds: 5,
 * });
 * await stack.fit(rows, prices, { groups });
 * stack.metaWeights; // { coef: [0.1, 0.9], intercept: 0.02 }
 * ```
 *
 * Members are made from strata's kinds; give `kinds` (a `kindResolver` over a list with kinds of
 * your own) for others. (Its base, StackingRegressorEnsemble, is what the list of kinds makes:
 * this module imports that list, which cannot import it back.)
 */
export class StackingRegressor extends StackingRegressorEnsemble {
  constructor(params: Partial<StackingRegressorParams> = {}, kinds: KindResolver = builtInKinds) {
    super(params, kinds);
  }

  static override async read(
    dir: string,
    manifest: Manifest,
    kinds: KindResolver = builtInKinds,
  ): Promise<StackingRegressorEnsemble> {
    return StackingRegressorEnsemble.read(dir, manifest, kinds);
  }

  /**
   * A stack loaded from a directory (or made from a spec) is a StackingRegressorEnsemble, the same
   * class not bound to strata's kinds: to `instanceof` it is a StackingRegressor too.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof StackingRegressorEnsemble;
  }
}
