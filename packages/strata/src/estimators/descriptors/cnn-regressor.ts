import { CNN_REGRESSOR_PARAMS, CnnRegressor, type CnnRegressorParams } from "../cnn-regressor.js";
import type { RegressorDescriptor } from "../descriptor.js";

/** cnn's twin for numeric targets: the same network and training, one linear output on the standardised target. */
export const CNN_REGRESSOR_KIND: RegressorDescriptor<CnnRegressorParams> = {
  name: "cnn-regressor",
  input: "images",
  description: "convolutional network on image files, predicting the standardised target",
  params: CNN_REGRESSOR_PARAMS,
  create: (params) => new CnnRegressor(params),
  read: (dir, manifest) => CnnRegressor.read(dir, manifest),
};
