import type { RegressorDescriptor } from "../descriptor.js";
import {
  TRANSFER_REGRESSOR_PARAMS,
  TransferRegressor,
  type TransferRegressorParams,
} from "../transfer-regressor.js";

/** transfer's twin for numeric targets: the same backbone and recipe, a one-unit linear head on the standardised target. */
export const TRANSFER_REGRESSOR_KIND: RegressorDescriptor<TransferRegressorParams> = {
  name: "transfer-regressor",
  input: "images",
  description:
    "a pretrained backbone from the zoo with a new one-unit head, optionally fine-tuned, predicting a number",
  params: TRANSFER_REGRESSOR_PARAMS,
  create: (params) => new TransferRegressor(params),
  read: (dir, manifest) => TransferRegressor.read(dir, manifest),
};
