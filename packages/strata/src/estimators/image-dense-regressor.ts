import type * as tfl from "@tensorflow/tfjs-layers";
import { buildFlatDense } from "../models/cnn.js";
import type { Manifest } from "./estimator.js";
import { IMAGE_DENSE_PARAMS, type ImageDenseClassifierParams } from "./image-dense-params.js";
import { type RegressorParamsOf, regressorSchema } from "./image-regressor-params.js";
import { ScratchImageRegressor } from "./image-regressor-scratch.js";
import { checkSavedParams } from "./param-check.js";
import { type ParamSchema, schemaDefaults } from "./param-schema.js";

/** Hyperparameters of an ImageDenseRegressor: an ImageDenseClassifier's (a numeric learning rate), the loss and huberDelta. */
export type ImageDenseRegressorParams = RegressorParamsOf<ImageDenseClassifierParams>;

/** The params of an ImageDenseRegressor (strata.json's order). */
export const IMAGE_DENSE_REGRESSOR_PARAMS: ParamSchema<ImageDenseRegressorParams> =
  regressorSchema(IMAGE_DENSE_PARAMS);

/**
 * A dense network on an image's flattened pixels that predicts a number (kind
 * "image-dense-regressor"): the baseline a CnnRegressor is measured against, trained the same way.
 */
export class ImageDenseRegressor extends ScratchImageRegressor<ImageDenseRegressorParams> {
  readonly kind = "image-dense-regressor";

  constructor(params: Partial<ImageDenseRegressorParams> = {}) {
    super("ImageDenseRegressor", IMAGE_DENSE_REGRESSOR_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<ImageDenseRegressor> {
    const params = manifest.params as Partial<ImageDenseRegressorParams>;
    return checkSavedParams(dir, () => new ImageDenseRegressor(params)).readState(dir, manifest);
  }

  protected buildNetwork(inputShape: [number, number, number]): tfl.LayersModel {
    return buildFlatDense(inputShape, "regression", this.params.hiddenUnits);
  }
}

export const IMAGE_DENSE_REGRESSOR_DEFAULTS: ImageDenseRegressorParams = schemaDefaults(
  IMAGE_DENSE_REGRESSOR_PARAMS,
);
