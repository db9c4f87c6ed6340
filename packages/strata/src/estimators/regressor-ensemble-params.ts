import { memberList } from "./ensemble-params.js";
import type { EstimatorSpec } from "./estimator.js";
import {
  integerIn,
  numberIn,
  type ParamSchema,
  type ParamSpec,
  rule,
  schemaDefaults,
} from "./param-schema.js";

/*
 * The params of the regressor ensembles (vote-regressor, stack-regressor). Members are specs
 * {kind, params, name?} of regressor kinds, each named by its own name or its classifier's
 * ("dense-regressor" or "dense"); their own params are checked by their own schemas when the
 * ensemble makes them (through the KindResolver it is handed).
 */

/** Params every regressor ensemble has. */
export interface RegressorEnsembleParams {
  /** The members, as {kind, params} (optionally a name) of regressor kinds, by their names or their classifiers' ("dense"). */
  readonly members: readonly EstimatorSpec[];
}

/** Hyperparameters of a VotingRegressor. */
export interface VotingRegressorParams extends RegressorEnsembleParams {
  /** One weight per member (finite, >= 0, not all 0); null: equal weights. */
  readonly weights: readonly number[] | null;
}

/** Hyperparameters of a StackingRegressor. */
export interface StackingRegressorParams extends RegressorEnsembleParams {
  /** L2 strength of the Ridge meta-model on the members' out-of-fold predictions. */
  readonly alpha: number;
  /** Folds of the cross-validation that gives the members' out-of-fold predictions. */
  readonly folds: number;
  /** Seed of the folds. */
  readonly seed: number;
}

const members: ParamSpec<readonly EstimatorSpec[]> = {
  default: [],
  doc: "the members, as {kind, params} of regressor kinds, by their names or their classifiers' (dense is dense-regressor)",
  check: memberList,
};

/** Weights as given: null, or finite numbers >= 0, not all 0 (one per member is the ensemble's check). */
export function validRegressorWeights(w: unknown): boolean {
  return (
    w === null ||
    (Array.isArray(w) &&
      w.every((v) => typeof v === "number" && Number.isFinite(v) && v >= 0) &&
      w.some((v) => v > 0))
  );
}

/** The params of a VotingRegressor (their order is strata.json's). */
export const VOTING_REGRESSOR_PARAMS: ParamSchema<VotingRegressorParams> = {
  members,
  weights: {
    default: null,
    doc: "one weight per member; null: equal weights",
    check: rule("finite numbers >= 0, not all 0 (one per member), or null", validRegressorWeights),
  },
};

/** The params of a StackingRegressor (their order is strata.json's). */
export const STACKING_REGRESSOR_PARAMS: ParamSchema<StackingRegressorParams> = {
  members,
  alpha: {
    default: 1,
    doc: "L2 strength of the Ridge meta-model on the members' out-of-fold predictions",
    check: numberIn({ min: 0 }),
  },
  folds: {
    default: 5,
    doc: "folds of the cross-validation that gives the members' out-of-fold predictions",
    check: integerIn({ min: 2 }),
  },
  seed: { default: 0, doc: "seed of the folds", check: integerIn() },
};

export const VOTING_REGRESSOR_DEFAULTS: VotingRegressorParams = schemaDefaults(VOTING_REGRESSOR_PARAMS);
export const STACKING_REGRESSOR_DEFAULTS: StackingRegressorParams = schemaDefaults(STACKING_REGRESSOR_PARAMS);
