import { builtInKinds } from "./built-in-kinds.js";
import type { KindResolver } from "./descriptor.js";
import type { Manifest } from "./estimator.js";
import type { VotingRegressorParams } from "./regressor-ensemble-params.js";
import { VotingRegressorEnsemble } from "./voting-regressor-ensemble.js";

export {
  VOTING_REGRESSOR_DEFAULTS,
  VOTING_REGRESSOR_PARAMS,
  type VotingRegressorParams,
} from "./regressor-ensemble-params.js";

/**
 * The weighted mean of regressors' predictions (scikit-learn's VotingRegressor): each member is
 * fitted on all rows, and predicts; the weights are given (one per member) or equal. A member is
 * named by a regressor kind or by its classifier's ("dense" is dense-regressor, "logistic" ridge).
 *
 * ```ts
 * const vote = new VotingRegressor({
 *   members: [{ kind: "ridge", params: {} }, { kind: "xgboost", params: { maxDepth: 4 } }],
 *   weights: [1, 2],
 * });
 * await vote.fit(rows, prices);
 * const { members, combined } = await vote.predictVotes(newRows);
 * ```
 *
 * Members are made from strata's kinds; give `kinds` (a `kindResolver` over a list with kinds of
 * your own) for others. (Its base, VotingRegressorEnsemble, is what the list of kinds makes: this
 * module imports that list, which cannot import it back.)
 */
export class VotingRegressor extends VotingRegressorEnsemble {
  constructor(params: Partial<VotingRegressorParams> = {}, kinds: KindResolver = builtInKinds) {
    super(params, kinds);
  }

  static override async read(
    dir: string,
    manifest: Manifest,
    kinds: KindResolver = builtInKinds,
  ): Promise<VotingRegressorEnsemble> {
    return VotingRegressorEnsemble.read(dir, manifest, kinds);
  }

  /**
   * A vote loaded from a directory (or made from a spec) is a VotingRegressorEnsemble, the same
   * class not bound to strata's kinds: to `instanceof` it is a VotingRegressor too.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof VotingRegressorEnsemble;
  }
}
