import { builtInKinds } from "./built-in-kinds.js";
import type { KindResolver } from "./descriptor.js";
import type { Manifest } from "./estimator.js";
import type { Label } from "./label-values.js";
import { StackingEnsemble } from "./stacking-ensemble.js";
import type { StackingClassifierParams } from "./stacking-params.js";

export { STACKING_DEFAULTS, type StackingClassifierParams } from "./stacking-params.js";

/**
 * Stacked generalisation (Wolpert 1992; scikit-learn's StackingClassifier): a meta-model
 * (logistic regression by default, any table estimator allowed) learns from the members'
 * out-of-fold class probabilities (`folds`-fold cross-validation, grouped with `groups`); every
 * member is refit on all rows and predicts through it (see StackingEnsemble).
 *
 * ```ts
 * const stack = new StackingClassifier({
 *   members: [{ kind: "dense", params: {} }, { kind: "xgboost", params: {} }],
 *   meta: { kind: "logistic", params: { C: 1 } },
 * });
 * await stack.fit(train.frame, train.y, { groups: train.groups });
 * ```
 *
 * Members and the meta-model are made from strata's kinds; give `kinds` (a `kindResolver` over a
 * list with kinds of your own) for others. (Its base, StackingEnsemble, is what the list of kinds
 * makes: this module imports that list, which cannot import it back.)
 */
export class StackingClassifier<L extends Label = Label> extends StackingEnsemble<L> {
  constructor(params: Partial<StackingClassifierParams> = {}, kinds: KindResolver = builtInKinds) {
    super(params, kinds);
  }

  static override async read(
    dir: string,
    manifest: Manifest,
    kinds: KindResolver = builtInKinds,
  ): Promise<StackingClassifier> {
    return new StackingClassifier(manifest.params as Partial<StackingClassifierParams>, kinds).readState(
      dir,
      manifest,
    );
  }

  /**
   * A stack loaded from a directory (or made from a spec) is a StackingEnsemble, the same class not
   * bound to strata's kinds: to `instanceof` it is a StackingClassifier too (and so it is to a subclass's).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof StackingEnsemble;
  }
}
