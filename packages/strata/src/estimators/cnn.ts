import type * as tfl from "@tensorflow/tfjs-layers";
import { buildCnn, defaultCnnConfig } from "../models/cnn.js";
import { CNN_PARAMS, type CnnClassifierParams } from "./cnn-params.js";
import type { Manifest } from "./estimator.js";
import { ScratchImageClassifier } from "./image-scratch.js";
import type { Label } from "./label-values.js";
import { checkSavedParams } from "./param-check.js";
import { schemaDefaults } from "./param-schema.js";

export type { CnnClassifierParams } from "./cnn-params.js";

/** A CNN's defaults: the classic two-block network for small images (models/cnn.ts sizes it). */
export const CNN_DEFAULTS: CnnClassifierParams = schemaDefaults(CNN_PARAMS);

/**
 * A convolutional network on image files (kind "cnn"): blocks of convolutions with batch norm,
 * pooling and a dense head, sized from the images (a stride-2 stem and global pooling for
 * large ones), trained from scratch on streamed, augmented batches.
 */
export class CnnClassifier<L extends Label = Label> extends ScratchImageClassifier<CnnClassifierParams, L> {
  readonly kind = "cnn";

  constructor(params: Partial<CnnClassifierParams> = {}) {
    super("CnnClassifier", CNN_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<CnnClassifier> {
    const params = manifest.params as Partial<CnnClassifierParams>;
    return checkSavedParams(dir, () => new CnnClassifier(params)).readState(dir, manifest);
  }

  protected buildNetwork(inputShape: [number, number, number], classes: number): tfl.LayersModel {
    return buildCnn({ ...defaultCnnConfig(inputShape, classes), ...this.params.architecture });
  }
}
