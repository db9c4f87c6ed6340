import { CnnClassifier } from "../cnn.js";
import { CNN_PARAMS, type CnnClassifierParams } from "../cnn-params.js";
import type { KindDescriptor } from "../descriptor.js";
import { CNN_REGRESSOR_KIND } from "./cnn-regressor.js";

/** A convolutional network trained from scratch on image files. */
export const CNN_KIND: KindDescriptor<CnnClassifierParams> = {
  name: "cnn",
  input: "images",
  description: "convolutional network on image files",
  network: true,
  params: CNN_PARAMS,
  regressor: CNN_REGRESSOR_KIND,
  variants: {
    // Not early-stopped (a cosine schedule to the last epoch), so no image is held out for validation.
    deep: {
      params: { architecture: { blockFilters: [32, 64, 128] }, epochs: 25, validationFraction: 0 },
      about: "convolutional network with a third block of 128 filters, 25 epochs on every training image",
    },
  },
  create: (params) => new CnnClassifier(params),
  read: (dir, manifest) => CnnClassifier.read(dir, manifest),
};
