import { classWeights } from "./network-params.js";
import { boolean, integerIn, numberIn, type ParamSchema, schemaDefaults } from "./param-schema.js";
import { CLASS_WEIGHT_FLAG } from "./shared-flags.js";

/** Hyperparameters of a LogisticRegression (scikit-learn's, camelCased); every one has a default. */
export interface LogisticRegressionParams {
  /** Inverse L2 strength: the loss is Σ log-loss + ||W||² / (2C) (the intercept is not penalised). */
  readonly C: number;
  /** Most L-BFGS iterations. */
  readonly maxIter: number;
  /** Converged when no gradient entry exceeds this. */
  readonly tol: number;
  readonly fitIntercept: boolean;
  /** "balanced" weighs each row inversely to its class's frequency. */
  readonly classWeight: "balanced" | "none";
  /** Standardise numeric columns (the L2 penalty and convergence depend on the scale). */
  readonly standardize: boolean;
  /** Most one-hot categories kept per column. */
  readonly maxCategories: number;
}

/**
 * The params of a LogisticRegression (their order is strata.json's): scikit-learn's defaults
 * (C 1, tol 1e-4), except maxIter: 1000 instead of 100, which stops some fits before they
 * converge (the peers pass max_iter=2000).
 */
export const LOGISTIC_PARAMS: ParamSchema<LogisticRegressionParams> = {
  C: {
    default: 1,
    doc: "inverse L2 strength: the loss is Σ log-loss + ||W||² / (2C) (the intercept is not penalised)",
    check: numberIn({ min: 0, minExclusive: true }),
  },
  maxIter: { default: 1000, doc: "most L-BFGS iterations", check: integerIn({ min: 1 }) },
  tol: {
    default: 1e-4,
    doc: "converged when no gradient entry exceeds this",
    check: numberIn({ min: 0, minExclusive: true }),
  },
  fitIntercept: { default: true, doc: "fit an intercept per class (not penalised)", check: boolean },
  classWeight: {
    default: "none",
    doc: '"balanced" weighs each row inversely to its class\'s frequency',
    check: classWeights,
    cli: CLASS_WEIGHT_FLAG,
  },
  standardize: {
    default: true,
    doc: "standardise numeric columns (the L2 penalty and convergence depend on the scale)",
    check: boolean,
  },
  maxCategories: {
    default: 200,
    doc: "most one-hot categories kept per column",
    check: integerIn({ min: 1 }),
  },
};

/** The defaults of every LogisticRegression param. */
export const LOGISTIC_DEFAULTS: LogisticRegressionParams = schemaDefaults(LOGISTIC_PARAMS);
