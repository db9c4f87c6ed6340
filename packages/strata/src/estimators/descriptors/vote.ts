import type { KindDescriptor } from "../descriptor.js";
import { VotingEnsemble } from "../voting-ensemble.js";
import { VOTING_PARAMS, type VotingClassifierParams } from "../voting-params.js";

/** Soft or hard voting over any members of one input kind. */
export const VOTE_KIND: KindDescriptor<VotingClassifierParams> = {
  name: "vote",
  // An ensemble takes whatever its members take.
  input: "members",
  description: "soft or hard vote of any members, weights given or learned (greedy ensemble selection)",
  params: VOTING_PARAMS,
  // The ensemble makes and reads its members through the kinds it is handed.
  create: (params, kinds) => new VotingEnsemble(params, kinds),
  read: (dir, manifest, kinds) => VotingEnsemble.read(dir, manifest, kinds),
};
