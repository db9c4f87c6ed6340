import type * as tfl from "@tensorflow/tfjs-layers";
import { buildCnn, defaultCnnConfig } from "../models/cnn.js";
import { CNN_PARAMS, type CnnClassifierParams } from "./cnn-params.js";
import type { Manifest } from "./estimator.js";
import { type RegressorParamsOf, regressorSchema } from "./image-regressor-params.js";
import { ScratchImageRegressor } from "./image-regressor-scratch.js";
import { checkSavedParams } from "./param-check.js";
import { type ParamSchema, schemaDefaults } from "./param-schema.js";

/** Hyperparameters of a CnnRegressor: a CnnClassifier's (a numeric learning rate), the loss and huberDelta. */
export type CnnRegressorParams = RegressorParamsOf<CnnClassifierParams>;

/** The params of a CnnRegressor (strata.json's order). */
export const CNN_REGRESSOR_PARAMS: ParamSchema<CnnRegressorParams> = regressorSchema(CNN_PARAMS);

export const CNN_REGRESSOR_DEFAULTS: CnnRegressorParams = schemaDefaults(CNN_REGRESSOR_PARAMS);

/**
 * A convolutional network that predicts a number from an image (kind "cnn-regressor"): the
 * CnnClassifier's network, sized from the images, with one linear output trained with mean
 * squared error (or Huber's loss) on the standardised target.
 *
 * ```ts
 * const model = new CnnRegressor({ size: [32, 32], epochs: 10 });
 * await model.fit(files, ages);
 * const predicted = await model.predict(newFiles); // Float64Array, in the target's units
 * ```
 */
export class CnnRegressor extends ScratchImageRegressor<CnnRegressorParams> {
  readonly kind = "cnn-regressor";

  constructor(params: Partial<CnnRegressorParams> = {}) {
    super("CnnRegressor", CNN_REGRESSOR_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<CnnRegressor> {
    const params = manifest.params as Partial<CnnRegressorParams>;
    return checkSavedParams(dir, () => new CnnRegressor(params)).readState(dir, manifest);
  }

  protected buildNetwork(inputShape: [number, number, number]): tfl.LayersModel {
    return buildCnn({ ...defaultCnnConfig(inputShape, "regression"), ...this.params.architecture });
  }
}
