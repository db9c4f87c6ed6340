import type * as tfl from "@tensorflow/tfjs-layers";
import { buildFlatDense } from "../models/cnn.js";
import type { Manifest } from "./estimator.js";
import { IMAGE_DENSE_PARAMS, type ImageDenseClassifierParams } from "./image-dense-params.js";
import { ScratchImageClassifier } from "./image-scratch.js";
import type { Label } from "./label-values.js";
import { checkSavedParams } from "./param-check.js";
import { schemaDefaults } from "./param-schema.js";

export type { ImageDenseClassifierParams } from "./image-dense-params.js";

export const IMAGE_DENSE_DEFAULTS: ImageDenseClassifierParams = schemaDefaults(IMAGE_DENSE_PARAMS);

/**
 * A dense network on an image's flattened pixels (kind "image-dense"; `--model dense` on a
 * folder of images): the baseline a CNN is measured against, trained the same way.
 */
export class ImageDenseClassifier<L extends Label = Label> extends ScratchImageClassifier<
  ImageDenseClassifierParams,
  L
> {
  readonly kind = "image-dense";

  constructor(params: Partial<ImageDenseClassifierParams> = {}) {
    super("ImageDenseClassifier", IMAGE_DENSE_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<ImageDenseClassifier> {
    const params = manifest.params as Partial<ImageDenseClassifierParams>;
    return checkSavedParams(dir, () => new ImageDenseClassifier(params)).readState(dir, manifest);
  }

  protected buildNetwork(inputShape: [number, number, number], classes: number): tfl.LayersModel {
    return buildFlatDense(inputShape, classes, this.params.hiddenUnits);
  }
}
