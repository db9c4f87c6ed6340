import { type AutoSearchParams, autoParams, type Candidate, type StackCandidate } from "./auto-params.js";
import type { ParamSchema } from "./param-schema.js";
import { schemaDefaults } from "./param-schema.js";

/**
 * Hyperparameters of an AutoRegressor: the candidates (regressor kinds, by their own names or
 * their classifiers': "dense" is dense-regressor), the folds and the seed, as an AutoClassifier's.
 * The stack candidate's params may set only its meta-model's `alpha`.
 */
export type AutoRegressorParams = AutoSearchParams;

/** The default candidates, simplest first (the order ties are broken in). */
export const DEFAULT_REGRESSOR_CANDIDATES: readonly Candidate[] = [
  "ridge",
  "xgboost-regressor",
  "dense-regressor",
  "stack-regressor",
];

/** The stack candidate: stack-regressor, by either name; its params may set its Ridge meta-model's alpha. */
export const REGRESSOR_STACK: StackCandidate = {
  isStack: (kind) => kind === "stack-regressor" || kind === "stack",
  own: "alpha",
};

/** The params of an AutoRegressor (their order is strata.json's). API only: no CLI flags. */
export const AUTO_REGRESSOR_PARAMS: ParamSchema<AutoRegressorParams> = autoParams(
  DEFAULT_REGRESSOR_CANDIDATES,
);

/** The defaults of every AutoRegressor param. */
export const AUTO_REGRESSOR_DEFAULTS: AutoRegressorParams = schemaDefaults(AUTO_REGRESSOR_PARAMS);
