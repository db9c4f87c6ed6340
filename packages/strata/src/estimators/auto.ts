import type { AutoClassifierParams } from "./auto-params.js";
import { AutoSelection } from "./auto-selection.js";
import { builtInKinds } from "./built-in-kinds.js";
import type { KindResolver } from "./descriptor.js";
import type { Manifest } from "./estimator.js";
import type { Label } from "./label-values.js";

export { AUTO_DEFAULTS, AUTO_PARAMS, type AutoClassifierParams, type Candidate } from "./auto-params.js";
export type { LeaderboardRow } from "./auto-search.js";
export { type AutoFitOptions, AutoSelection, CHOSEN_DIR } from "./auto-selection.js";

/**
 * Model choice for tables, after AutoGluon (see AutoSelection): cross-validates the candidates
 * (logistic regression, XGBoost, the dense network and their stack by default) on the training
 * rows only, keeps the simplest within one std of the best, refit on every row.
 *
 * ```ts
 * const auto = new AutoClassifier({ folds: 5, seed: 0 });
 * await auto.fit(train.frame, train.y, { groups: train.groups });
 * console.table(auto.leaderboard);
 * ```
 *
 * Candidates are made from strata's kinds; give `kinds` (a `kindResolver` over a list with kinds
 * of your own) for others. (Its base, AutoSelection, is what the list of kinds makes: this module
 * imports that list, which cannot import it back.)
 */
export class AutoClassifier<L extends Label = Label> extends AutoSelection<L> {
  constructor(params: Partial<AutoClassifierParams> = {}, kinds: KindResolver = builtInKinds) {
    super(params, kinds);
  }

  static override async read(
    dir: string,
    manifest: Manifest,
    kinds: KindResolver = builtInKinds,
  ): Promise<AutoSelection> {
    return AutoSelection.read(dir, manifest, kinds);
  }

  /**
   * An auto model loaded from a directory (or made from a spec) is an AutoSelection, the same class
   * not bound to strata's kinds: to `instanceof` it is an AutoClassifier too.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof AutoSelection;
  }
}
