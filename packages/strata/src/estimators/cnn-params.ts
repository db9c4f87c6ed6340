import type { CnnConfig } from "../models/cnn.js";
import { IMAGE_PARAMS, type ImageParams, isObject } from "./image-params.js";
import { type ParamSchema, rule } from "./param-schema.js";

/** Hyperparameters of a CnnClassifier; every one has a default. */
export interface CnnClassifierParams extends ImageParams {
  /** Overrides of the CNN's size-based defaults (filters per block, dropout, head, …); {} keeps them. */
  readonly architecture: Partial<Omit<CnnConfig, "inputShape" | "classes">>;
}

/** The params of a CNN: those of every image network, and its architecture. */
export const CNN_PARAMS: ParamSchema<CnnClassifierParams> = {
  ...IMAGE_PARAMS,
  architecture: {
    default: {},
    doc: "overrides of the CNN's size-based defaults (blockFilters, convsPerBlock, denseUnits, …); {} keeps them",
    check: rule("an object of CNN settings such as { blockFilters: [32, 64] }", isObject),
  },
};
