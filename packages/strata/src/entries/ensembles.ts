/**
 * strata-ml/ensembles: what voting and stacking are made of, and estimator kinds of your own:
 * the ensemble base class (and VotingEnsemble and StackingEnsemble, the ensembles that a list of
 * kinds makes with the resolver it is given), greedy ensemble selection, member presets, the estimator registry
 * (estimators described as {kind, params}), model-directory manifests, and the child processes
 * that fit members.
 */

// A kind of your own: a class on ClassifierBase with a param schema (strata-ml/networks has the
// checks), a KindDescriptor, and kindResolver([...KINDS, yours]) handed to the ensembles.
export { ClassifierBase, type FittedState } from "../estimators/base.js";
export { builtInKinds } from "../estimators/built-in-kinds.js";
export type { KindDescriptor, KindResolver, RegressorDescriptor } from "../estimators/descriptor.js";
export {
  type CombinerData,
  EnsembleClassifier,
  type EnsembleFitOptions,
  type EnsembleInput,
  type EnsembleParams,
  type EnsembleState,
  type MemberVotes,
  type OutOfFoldScore,
} from "../estimators/ensemble.js";
export { type EnsembleSelection, greedyEnsembleSelection } from "../estimators/ensemble-selection.js";
export type { EstimatorSpec, Manifest } from "../estimators/estimator.js";
export { KINDS } from "../estimators/kinds.js";
export { readManifest } from "../estimators/load.js";
export { defaultMembers, MEMBER_PRESETS, META_MODELS, parseMembers } from "../estimators/presets.js";
export {
  createEstimator,
  type EstimatorKind,
  estimatorKind,
  estimatorKinds,
  kindResolver,
} from "../estimators/registry.js";
export { StackingClassifier, type StackingClassifierParams } from "../estimators/stacking.js";
export { StackingEnsemble } from "../estimators/stacking-ensemble.js";
export { VotingClassifier, type VotingClassifierParams } from "../estimators/voting.js";
export { VotingEnsemble } from "../estimators/voting-ensemble.js";
export type { JobEvent } from "../parallel/pool.js";
export { closeIdleWorkers } from "../parallel/workers.js";
