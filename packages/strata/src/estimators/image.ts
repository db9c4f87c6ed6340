import { createHash } from "node:crypto";
import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../errors.js";
import type { AugmentConfig } from "../images/augment.js";
import { imageSource, predictImageFiles } from "../images/batch-source.js";
import type { ImageItem } from "../images/folder.js";
import { DEFAULT_SCALING, type PixelScaling } from "../images/pixels.js";
import { buildCnn, buildFlatDense, type CnnConfig, defaultCnnConfig } from "../models/cnn.js";
import { MODEL_JSON } from "../models/io.js";
import { MANIFEST, type Manifest, type ReadablePrediction } from "./estimator.js";
import { ImageNetworkClassifier } from "./image-network.js";
import type { Label } from "./label-values.js";
import type { NetworkFitOptions, NetworkParams, PreparedFit } from "./network.js";

/** Hyperparameters of an ImageClassifier; every one has a default. */
export interface ImageClassifierParams extends NetworkParams {
  /** "cnn": a convolutional network; "dense": a dense network on flattened pixels (the baseline). */
  readonly model: "cnn" | "dense";
  /** [height, width] every image is resized to. */
  readonly size: readonly [number, number];
  readonly channels: 1 | 3;
  readonly batchSize: number;
  /** Training-time augmentation (never applied when evaluating or predicting). */
  readonly augment: AugmentConfig | null;
  /** Hidden widths of the "dense" model. */
  readonly hiddenUnits: readonly number[];
  /** Overrides of the CNN's size-based defaults (filters per block, dropout, head, …); {} keeps them. */
  readonly architecture: Partial<Omit<CnnConfig, "inputShape" | "classes">>;
  readonly scaling: PixelScaling;
}

/** How images are read on this machine: settings of the run, not of the model, so never saved. */
export interface ImageReadOptions {
  /** Folder for decoded-pixel caching (reruns skip decoding). */
  readonly cacheDir?: string;
  /** Fail on the first unreadable image instead of skipping it. */
  readonly strict?: boolean;
}

/** fit's options for image models: those of every network, plus how images are read. */
export interface ImageFitOptions extends NetworkFitOptions, ImageReadOptions {
  /**
   * MiB of decoded images kept in memory between epochs (a dataset under it is decoded once;
   * beyond it images are decoded again each epoch, so memory stays bounded); 0: stream every
   * epoch. Default 512.
   */
  readonly memoryCacheMiB?: number;
}

export const IMAGE_DEFAULTS: ImageClassifierParams = {
  model: "cnn",
  size: [32, 32],
  channels: 3,
  epochs: 15,
  batchSize: 64,
  learningRate: 1e-3,
  schedule: { kind: "cosine", warmupEpochs: 1 },
  patience: 0,
  validationFraction: 0.1,
  augment: { flip: true, cropPadding: 2 },
  hiddenUnits: [512, 256],
  architecture: {},
  scaling: DEFAULT_SCALING,
  seed: 0,
};

/** Params that strata 0.1 saved although they are machine settings; ignored when reading. */
const LEGACY_MACHINE_PARAMS = ["cacheDir", "memoryCacheMiB", "strict"];

/**
 * An image classifier whose X is a list of image files: images are decoded, resized, scaled and
 * (in training) augmented on the fly in streamed batches, so a dataset larger than memory trains.
 */
export class ImageClassifier<L extends Label = Label> extends ImageNetworkClassifier<
  ImageClassifierParams,
  null,
  L
> {
  readonly kind = "image";

  constructor(params: Partial<ImageClassifierParams> = {}) {
    super("ImageClassifier", IMAGE_DEFAULTS, params);
  }

  clone(): ImageClassifier<L> {
    return new ImageClassifier<L>(this.getParams() as Partial<ImageClassifierParams>);
  }

  static async read(dir: string, manifest: Manifest): Promise<ImageClassifier> {
    const params = Object.fromEntries(
      Object.entries(manifest.params).filter(([name]) => !LEGACY_MACHINE_PARAMS.includes(name)),
    );
    return new ImageClassifier(params as Partial<ImageClassifierParams>).readState(dir, manifest);
  }

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
    split: { fit: readonly number[]; validation: readonly number[] },
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
      build: () =>
        p.model === "cnn"
          ? buildCnn({ ...defaultCnnConfig(inputShape, classes.length), ...p.architecture })
          : buildFlatDense(inputShape, classes.length, p.hiddenUnits),
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
    const p = this.params;
    const expected = [p.size[0], p.size[1], p.channels];
    const shape = network.inputs[0]?.shape.slice(1);
    if (network.inputs.length !== 1 || shape?.join("x") !== expected.join("x"))
      throw new StrataError(
        `${dir}: damaged: ${MANIFEST}'s params say images of ${expected.join("x")} but ${MODEL_JSON}'s network takes ${shape?.join("x")}`,
      );
  }

  protected validateParams(): void {
    const p = this.params;
    this.validateNetworkParams();
    if (p.model !== "cnn" && p.model !== "dense") this.badParam("model", '"cnn" or "dense"', p.model);
    if (!(Array.isArray(p.size) && p.size.length === 2 && p.size.every((s) => Number.isInteger(s) && s >= 8)))
      this.badParam("size", "[height, width], each an integer >= 8", p.size);
    if (p.channels !== 1 && p.channels !== 3) this.badParam("channels", "1 or 3", p.channels);
    if (typeof p.scaling !== "object" || p.scaling === null || typeof p.scaling.kind !== "string")
      this.badParam("scaling", 'a pixel scaling such as { kind: "divide", by: 255 }', p.scaling);
    if (!(Number.isInteger(p.batchSize) && p.batchSize > 0))
      this.badParam("batchSize", "a positive integer", p.batchSize);
    if (!p.hiddenUnits.every((u) => Number.isInteger(u) && u > 0))
      this.badParam("hiddenUnits", "positive integers", p.hiddenUnits);
  }
}
