import type * as tfl from "@tensorflow/tfjs-layers";
import { buildCnn, buildFlatDense, defaultCnnConfig } from "../models/cnn.js";
import { copyParams, type Params } from "../util/params.js";
import { CnnClassifier } from "./cnn.js";
import { CNN_PARAMS, type CnnClassifierParams } from "./cnn-params.js";
import type { Manifest } from "./estimator.js";
import { ImageDenseClassifier } from "./image-dense.js";
import { IMAGE_DENSE_PARAMS } from "./image-dense-params.js";
import { ScratchImageClassifier } from "./image-scratch.js";
import type { Label } from "./label-values.js";
import { upgradeImageSpec } from "./legacy-image-kind.js";
import { type ParamSchema, rule, schemaDefaults } from "./param-schema.js";

export type { ImageFitOptions, ImageReadOptions } from "./image-network.js";

/** Hyperparameters of an ImageClassifier: a CNN's, its dense twin's hidden layers, and which of the two. */
export interface ImageClassifierParams extends CnnClassifierParams {
  /** "cnn": a convolutional network; "dense": a dense network on flattened pixels (the baseline). */
  readonly model: "cnn" | "dense";
  /** Hidden widths of the "dense" model. */
  readonly hiddenUnits: readonly number[];
}

const IMAGE_CLASSIFIER_PARAMS: ParamSchema<ImageClassifierParams> = {
  model: {
    default: "cnn",
    doc: 'which network: "cnn" (CnnClassifier) or "dense" (ImageDenseClassifier)',
    check: rule('"cnn" or "dense"', (v) => v === "cnn" || v === "dense"),
  },
  ...CNN_PARAMS,
  hiddenUnits: IMAGE_DENSE_PARAMS.hiddenUnits,
};

export const IMAGE_DEFAULTS: ImageClassifierParams = schemaDefaults(IMAGE_CLASSIFIER_PARAMS);

/**
 * The two image networks trained from scratch behind one class, as earlier strata had them:
 * `model: "cnn"` is a CnnClassifier, `model: "dense"` an ImageDenseClassifier. It is that kind
 * (its `kind`, its `getParams()` and the directory it saves, which loads as that class) and
 * fits and predicts exactly as that class does.
 *
 * @deprecated Use CnnClassifier or ImageDenseClassifier.
 */
export class ImageClassifier<L extends Label = Label> extends ScratchImageClassifier<
  ImageClassifierParams,
  L
> {
  constructor(params: Partial<ImageClassifierParams> = {}) {
    super("ImageClassifier", IMAGE_CLASSIFIER_PARAMS, params);
  }

  get kind(): "cnn" | "image-dense" {
    return this.params.model === "dense" ? "image-dense" : "cnn";
  }

  /** The params of the kind it is (without `model`, and without the other network's settings). */
  override getParams(): Params {
    const { model, hiddenUnits, architecture, ...common } = copyParams(this.params);
    return model === "dense" ? { ...common, hiddenUnits } : { ...common, architecture };
  }

  /**
   * Reads a directory of kind "cnn" or "image-dense", or of the old kind "image" (upgraded as
   * legacy-image-kind.ts says), as the class of its kind.
   */
  static async read(dir: string, manifest: Manifest): Promise<CnnClassifier | ImageDenseClassifier> {
    const upgraded = upgradeImageSpec(manifest);
    return upgraded.kind === "image-dense"
      ? ImageDenseClassifier.read(dir, upgraded)
      : CnnClassifier.read(dir, upgraded);
  }

  /** A clone keeps `model` and the other network's settings, which getParams() leaves out. */
  protected override withParams(params: Partial<ImageClassifierParams>): this {
    return super.withParams({ ...structuredClone(this.params), ...params });
  }

  protected buildNetwork(inputShape: [number, number, number], classes: number): tfl.LayersModel {
    const p = this.params;
    return p.model === "cnn"
      ? buildCnn({ ...defaultCnnConfig(inputShape, classes), ...p.architecture })
      : buildFlatDense(inputShape, classes, p.hiddenUnits);
  }
}
