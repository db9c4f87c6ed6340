import { DENSE_PARAMS, type DenseClassifierParams } from "./dense-params.js";
import { choice, positive } from "./param-parse.js";
import { numberIn, oneOf, type ParamSchema, schemaDefaults } from "./param-schema.js";

/** What a DenseRegressor minimises, on the standardised target. */
export type RegressionLoss = "mse" | "huber";

/**
 * Hyperparameters of a DenseRegressor: a DenseClassifier's (the same network, preprocessing and
 * training loop; no class weights), and the loss.
 */
export interface DenseRegressorParams extends Omit<DenseClassifierParams, "classWeight"> {
  /** "mse" (mean squared error) or "huber" (squared near 0, linear past `huberDelta`: outliers pull less). */
  readonly loss: RegressionLoss;
  /**
   * Where Huber's loss turns from squared to linear, in standard deviations of the target (the
   * network learns the standardised target): 1 is Keras's default on a target of unit scale.
   */
  readonly huberDelta: number;
}

const { classWeight: _classWeight, seed, ...shared } = DENSE_PARAMS;

/** The params of a DenseRegressor (their order is strata.json's): DenseClassifier's, then the loss. */
export const DENSE_REGRESSOR_PARAMS: ParamSchema<DenseRegressorParams> = {
  // learningRate as a DenseClassifier's: a number or "auto" (the sweep trains with this loss).
  ...shared,
  loss: {
    default: "mse",
    doc: '"mse" (mean squared error) or "huber" (squared near 0, linear past huberDelta: outliers pull less)',
    check: oneOf(["mse", "huber"]),
    cli: {
      flags: "--loss <loss>",
      parse: choice("--loss", ["mse", "huber"]),
      help: "regression loss: mse or huber",
    },
  },
  huberDelta: {
    default: 1,
    doc: "where Huber's loss turns linear, in standard deviations of the target",
    check: numberIn({ min: 0, minExclusive: true }),
    cli: {
      flags: "--huber-delta <d>",
      parse: positive,
      help: "Huber's delta, in target standard deviations",
    },
  },
  seed,
};

/** The defaults of every DenseRegressor param. */
export const DENSE_REGRESSOR_DEFAULTS: DenseRegressorParams = schemaDefaults(DENSE_REGRESSOR_PARAMS);
