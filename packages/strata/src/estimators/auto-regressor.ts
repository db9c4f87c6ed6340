import type { AutoRegressorParams } from "./auto-regressor-params.js";
import { AutoRegressorSelection } from "./auto-regressor-selection.js";
import { builtInKinds } from "./built-in-kinds.js";
import type { KindResolver } from "./descriptor.js";
import type { Manifest } from "./estimator.js";

export {
  AUTO_REGRESSOR_DEFAULTS,
  AUTO_REGRESSOR_PARAMS,
  type AutoRegressorParams,
  DEFAULT_REGRESSOR_CANDIDATES,
} from "./auto-regressor-params.js";
export {
  type AutoRegressorFitOptions,
  AutoRegressorSelection,
  type AutoRegressorSummary,
} from "./auto-regressor-selection.js";

/**
 * Model choice for a numeric target (see AutoRegressorSelection): cross-validates the candidates
 * (ridge, XGBoost, the dense network and their stack by default) on the training rows only, by
 * RMSE, keeps the simplest within one std of the lowest, refit on every row.
 *
 * ```ts
 * const auto = new AutoRegressor({ folds: 5, seed: 0 });
 * await auto.fit(rows, prices, { groups });
 * console.table(auto.leaderboard); // mean and std: RMSE over the folds
 * ```
 *
 * Candidates are made from strata's kinds, each named by a regressor kind or its classifier's
 * ("dense" is dense-regressor); give `kinds` for kinds of your own. (Its base,
 * AutoRegressorSelection, is what the list of kinds makes: this module imports that list, which
 * cannot import it back.)
 */
export class AutoRegressor extends AutoRegressorSelection {
  constructor(params: Partial<AutoRegressorParams> = {}, kinds: KindResolver = builtInKinds) {
    super(params, kinds);
  }

  static override async read(
    dir: string,
    manifest: Manifest,
    kinds: KindResolver = builtInKinds,
  ): Promise<AutoRegressorSelection> {
    return AutoRegressorSelection.read(dir, manifest, kinds);
  }

  /**
   * An auto regressor loaded from a directory (or made from a spec) is an AutoRegressorSelection,
   * the same class not bound to strata's kinds: to `instanceof` it is an AutoRegressor too.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof AutoRegressorSelection;
  }
}
