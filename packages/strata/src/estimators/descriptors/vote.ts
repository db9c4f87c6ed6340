import type { KindDescriptor, RegressorDescriptor } from "../descriptor.js";
import { VOTING_REGRESSOR_PARAMS, type VotingRegressorParams } from "../regressor-ensemble-params.js";
import { VotingEnsemble } from "../voting-ensemble.js";
import { VOTING_PARAMS, type VotingClassifierParams } from "../voting-params.js";
import { VotingRegressorEnsemble } from "../voting-regressor-ensemble.js";

/** vote's twin for numeric targets: the weighted mean of regressors' predictions. */
export const VOTE_REGRESSOR_KIND: RegressorDescriptor<VotingRegressorParams> = {
  name: "vote-regressor",
  input: "members",
  description: "weighted mean of the members' predictions, weights given or equal",
  params: VOTING_REGRESSOR_PARAMS,
  create: (params, kinds) => new VotingRegressorEnsemble(params, kinds),
  read: (dir, manifest, kinds) => VotingRegressorEnsemble.read(dir, manifest, kinds),
};

/** Soft or hard voting over any members of one input kind. */
export const VOTE_KIND: KindDescriptor<VotingClassifierParams> = {
  name: "vote",
  // An ensemble takes whatever its members take.
  input: "members",
  description: "soft or hard vote of any members, weights given or learned (greedy ensemble selection)",
  params: VOTING_PARAMS,
  regressor: VOTE_REGRESSOR_KIND,
  // The ensemble makes and reads its members through the kinds it is handed.
  create: (params, kinds) => new VotingEnsemble(params, kinds),
  read: (dir, manifest, kinds) => VotingEnsemble.read(dir, manifest, kinds),
};
