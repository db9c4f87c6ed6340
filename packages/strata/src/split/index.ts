/**
 * Hold-out and k-fold splitters on row indices, with scikit-learn semantics (random,
 * stratified, grouped, stratified + grouped). All randomness comes from the caller's seed.
 */
export { allocateLargestRemainder } from "./allocate.js";
export { indexBy, type KeyIndex } from "./groups.js";
export {
  type HoldoutOptions,
  holdoutSplit,
  type TrainValidationOptions,
  trainValidationSplit,
} from "./holdout.js";
export { type KFoldOptions, kFold } from "./kfold.js";
export {
  requireClassesInTraining,
  requireTwoPerClass,
  type TrainingClassesContext,
} from "./training-classes.js";
export type { Split } from "./types.js";
