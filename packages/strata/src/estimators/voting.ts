import { builtInKinds } from "./built-in-kinds.js";
import type { KindResolver } from "./descriptor.js";
import type { Manifest } from "./estimator.js";
import type { Label } from "./label-values.js";
import { VotingEnsemble } from "./voting-ensemble.js";
import type { VotingClassifierParams } from "./voting-params.js";

export { VOTING_DEFAULTS, type VotingClassifierParams } from "./voting-params.js";

/**
 * Voting over any strata estimators of one input kind (scikit-learn's VotingClassifier): soft
 * (weighted mean of probabilities) or hard (weighted share of votes, its predictProba rows the
 * vote shares); weights given, equal, or learned from out-of-fold probabilities by greedy
 * ensemble selection with replacement on log loss (as AutoGluon weighs its ensembles).
 *
 * ```ts
 * const vote = new VotingClassifier({
 *   members: [{ kind: "dense", params: {} }, { kind: "xgboost", params: {} }],
 *   weights: "learned",
 * });
 * await vote.fit(train.frame, train.y, { groups: train.groups, jobs: 2 });
 * const { members, combined } = await vote.predictVotes(test.frame);
 * ```
 *
 * Members are made from strata's kinds; give `kinds` (a `kindResolver` over a list with kinds of
 * your own) for others. (Its base, VotingEnsemble, is what the list of kinds makes: this module
 * imports that list, which cannot import it back.)
 */
export class VotingClassifier<L extends Label = Label> extends VotingEnsemble<L> {
  constructor(params: Partial<VotingClassifierParams> = {}, kinds: KindResolver = builtInKinds) {
    super(params, kinds);
  }

  static override async read(
    dir: string,
    manifest: Manifest,
    kinds: KindResolver = builtInKinds,
  ): Promise<VotingClassifier> {
    return new VotingClassifier(manifest.params as Partial<VotingClassifierParams>, kinds).readState(
      dir,
      manifest,
    );
  }

  /**
   * A vote model loaded from a directory (or made from a spec) is a VotingEnsemble, the same class not
   * bound to strata's kinds: to `instanceof` it is a VotingClassifier too (and so it is to a subclass's).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof VotingEnsemble;
  }
}
