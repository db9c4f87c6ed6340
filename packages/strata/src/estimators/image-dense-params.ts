import { IMAGE_PARAMS, type ImageParams, positiveIntegers } from "./image-params.js";
import { integerList, showList } from "./param-parse.js";
import type { ParamSchema } from "./param-schema.js";

/** Hyperparameters of an ImageDenseClassifier; every one has a default. */
export interface ImageDenseClassifierParams extends ImageParams {
  /** Widths of the hidden layers on the flattened pixels, input side first. */
  readonly hiddenUnits: readonly number[];
}

/** The params of a dense network on pixels: those of every image network, and its hidden layers. */
export const IMAGE_DENSE_PARAMS: ParamSchema<ImageDenseClassifierParams> = {
  ...IMAGE_PARAMS,
  hiddenUnits: {
    default: [512, 256],
    doc: "widths of the hidden layers on the flattened pixels, input side first",
    check: positiveIntegers,
    cli: {
      flags: "--hidden <sizes>",
      parse: integerList,
      show: showList,
      help: "hidden layer widths, e.g. 128,64",
    },
  },
};
