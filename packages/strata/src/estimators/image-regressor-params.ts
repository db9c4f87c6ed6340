import type { LossChoice } from "../train/step.js";
import { DENSE_REGRESSOR_PARAMS, type RegressionLoss } from "./dense-regressor-params.js";
import type { NetworkParams } from "./network-params.js";
import type { ParamSchema, ParamSpec } from "./param-schema.js";

/** What an image regressor trains with beside its classifier twin's params. */
export interface RegressionTraining {
  /** "mse" or "huber" (squared near 0, linear past `huberDelta`: outliers pull less). */
  readonly loss: RegressionLoss;
  /** Where Huber's loss turns linear, in standard deviations of the target (the network learns it standardised). */
  readonly huberDelta: number;
}

/** A regressor's params from its classifier twin's: the same (learningRate "auto" sweeps with the loss), and the loss. */
export type RegressorParamsOf<P extends NetworkParams> = P & RegressionTraining;

/**
 * The params of an image regressor from its classifier twin's schema (the same network,
 * images and training, "auto" learning rate included; strata.json keeps their order), and
 * DenseRegressor's loss and huberDelta before the seed.
 */
export function regressorSchema<P extends NetworkParams>(
  schema: ParamSchema<P>,
): ParamSchema<RegressorParamsOf<P>> {
  const out: Record<string, ParamSpec> = {};
  for (const [name, spec] of Object.entries(schema) as [string, ParamSpec][]) {
    if (name === "seed") {
      out.loss = DENSE_REGRESSOR_PARAMS.loss;
      out.huberDelta = DENSE_REGRESSOR_PARAMS.huberDelta;
    }
    out[name] = spec;
  }
  return out as unknown as ParamSchema<RegressorParamsOf<P>>;
}

/** The training loop's loss for these params (huberDelta only with Huber's loss, as the loop asks). */
export function regressionLoss(p: RegressionTraining): LossChoice {
  return p.loss === "huber" ? { loss: "huber", huberDelta: p.huberDelta } : { loss: "mse" };
}
