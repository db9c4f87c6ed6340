import type { RegressorDescriptor } from "../descriptor.js";
import {
  IMAGE_DENSE_REGRESSOR_PARAMS,
  ImageDenseRegressor,
  type ImageDenseRegressorParams,
} from "../image-dense-regressor.js";

/** image-dense's twin for numeric targets: a dense network on flattened pixels, one linear output. */
export const IMAGE_DENSE_REGRESSOR_KIND: RegressorDescriptor<ImageDenseRegressorParams> = {
  name: "image-dense-regressor",
  input: "images",
  description: "dense network on an image's flattened pixels, predicting the standardised target",
  params: IMAGE_DENSE_REGRESSOR_PARAMS,
  create: (params) => new ImageDenseRegressor(params),
  read: (dir, manifest) => ImageDenseRegressor.read(dir, manifest),
};
