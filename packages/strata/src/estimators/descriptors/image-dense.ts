import type { KindDescriptor } from "../descriptor.js";
import { ImageDenseClassifier } from "../image-dense.js";
import { IMAGE_DENSE_PARAMS, type ImageDenseClassifierParams } from "../image-dense-params.js";
import { IMAGE_DENSE_REGRESSOR_KIND } from "./image-dense-regressor.js";

/** A dense network on flattened pixels: the baseline a CNN is measured against. */
export const IMAGE_DENSE_KIND: KindDescriptor<ImageDenseClassifierParams> = {
  name: "image-dense",
  // `--model dense` (and the member "dense") on a folder of images.
  aliases: ["dense"],
  input: "images",
  description: "dense network on an image's flattened pixels",
  network: true,
  params: IMAGE_DENSE_PARAMS,
  regressor: IMAGE_DENSE_REGRESSOR_KIND,
  create: (params) => new ImageDenseClassifier(params),
  read: (dir, manifest) => ImageDenseClassifier.read(dir, manifest),
};
