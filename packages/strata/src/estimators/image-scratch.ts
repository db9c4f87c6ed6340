import { createHash } from "node:crypto";
import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../errors.js";
import { imageSource, predictImageFiles } from "../images/batch-source.js";
import type { ImageItem } from "../images/folder.js";
import { MODEL_JSON } from "../models/io.js";
import { MANIFEST, type ReadablePrediction } from "./estimator.js";
import { type ImageFitOptions, ImageNetworkClassifier, type ImageReadOptions } from "./image-network.js";
import type { ImageParams } from "./image-params.js";
import type { Label } from "./label-values.js";
import type { FitSplit, PreparedFit } from "./network.js";
import type { ParamSchema } from "./param-schema.js";

/**
 * An image network trained from scratch on image files (CnnClassifier, ImageDenseClassifier):
 * images are decoded, resized, scaled and (in training) augmented on the fly in streamed
 * batches, so a dataset larger than memory trains. A kind says only which network it builds.
 */
export abstract class ScratchImageClassifier<
  P extends ImageParams,
  L extends Label = Label,
> extends ImageNetworkClassifier<P, null, L> {
  protected constructor(className: string, schema: ParamSchema<P>, params: Partial<P>) {
    super(className, schema, params);
  }

  /** The untrained network for images of `inputShape` and `classes` classes (in the fit's seeded scope). */
  protected abstract buildNetwork(inputShape: [number, number, number], classes: number): tfl.LayersModel;

  protected async predictFiles(
    files: readonly string[],
    options: ImageReadOptions,
  ): Promise<ReadablePrediction> {
    const { network, classes } = this.fitted();
    return predictImageFiles(network, files, classes, this.params, options);
  }

  protected async prepare(
    files: readonly string[],
    yIndex: Int32Array,
    split: FitSplit,
    classes: readonly string[],
    options: ImageFitOptions,
  ): Promise<PreparedFit<null>> {
    const p = this.params;
    const items: ImageItem[] = files.map((file, i) => ({ file, label: classes[yIndex[i]] }));
    const budget = (options.memoryCacheMiB ?? 512) * 2 ** 20;
    // The memory-cache budget is shared in proportion to the images each part holds.
    const source = (rows: readonly number[], training: boolean) =>
      imageSource(
        rows.map((i) => items[i]),
        classes,
        p,
        {
          ...options,
          batchSize: p.batchSize,
          seed: training ? p.seed : undefined,
          augment: p.augment,
          memoryCacheBytes: Math.floor((budget * rows.length) / items.length),
        },
      );
    const train = source(split.fit, true);
    const validation = split.validation.length ? source(split.validation, false) : undefined;
    const inputShape: [number, number, number] = [p.size[0], p.size[1], p.channels];
    const hash = createHash("sha256");
    for (const part of [split.fit, split.validation]) {
      for (const i of part) hash.update(`${items[i].file}\0${items[i].label}\0`);
      hash.update("\n");
    }
    return {
      train,
      validation,
      extra: null,
      build: () => this.buildNetwork(inputShape, classes.length),
      dataHash: hash.digest("hex"),
      dispose: () => {
        this.skipped = [...train.skipped, ...(validation?.skipped ?? [])];
      },
    };
  }

  protected async writeExtra(): Promise<string[]> {
    return [];
  }

  protected async readExtra(): Promise<null> {
    return null;
  }

  protected override checkLoaded(dir: string, network: tfl.LayersModel): void {
    checkImageInput(dir, network, this.params);
  }
}

/** Refuses a read network that does not take the images its params say (a StrataError naming the directory). */
export function checkImageInput(
  dir: string,
  network: tfl.LayersModel,
  p: Pick<ImageParams, "size" | "channels">,
): void {
  const expected = [p.size[0], p.size[1], p.channels];
  const shape = network.inputs[0]?.shape.slice(1);
  if (network.inputs.length !== 1 || shape?.join("x") !== expected.join("x"))
    throw new StrataError(
      `${dir}: damaged: ${MANIFEST}'s params say images of ${expected.join("x")} but ${MODEL_JSON}'s network takes ${shape?.join("x")}`,
    );
}
