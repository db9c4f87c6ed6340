import type { SkippedFile } from "../images/folder.js";
import type { Matrix } from "../util/matrix.js";
import type { ReadablePrediction } from "./estimator.js";
import type { Label } from "./label-values.js";
import {
  NetworkClassifier,
  type NetworkFitOptions,
  type NetworkParams,
  type NetworkState,
} from "./network.js";
import { type ImageData, withImageFiles } from "./pixel-buffers.js";

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

/**
 * A network classifier whose X is images (CnnClassifier, ImageDenseClassifier, TransferClassifier): image files, or
 * pixel buffers in memory (written to temporary files for the fit or prediction). Files that do
 * not decode are skipped in training and listed, and prediction goes through `predictReadable`,
 * strict for `predictProba` (its rows must line up with the input).
 */
export abstract class ImageNetworkClassifier<
  P extends NetworkParams,
  E,
  L extends Label = Label,
> extends NetworkClassifier<ImageData, P, E, L> {
  readonly input = "images";
  /** Unreadable training images the last fit skipped, with the reason. */
  skipped: SkippedFile[] = [];

  /** Probabilities for image files (the subclass's reading and network). */
  protected abstract predictFiles(
    files: readonly string[],
    options: ImageReadOptions,
  ): Promise<ReadablePrediction>;

  /**
   * Probabilities for the images that decode, in input order; unreadable ones are listed in
   * `skipped` (with `strict`, the first one throws instead).
   */
  async predictReadable(images: ImageData, options: ImageReadOptions = {}): Promise<ReadablePrediction> {
    this.fitted();
    return withImageFiles(images, async (files, name) => {
      const p = await this.predictFiles(files, options);
      return { ...p, skipped: p.skipped.map((s) => ({ input: name(s.input), reason: s.reason })) };
    });
  }

  override async fit(images: ImageData, y: readonly L[], options: NetworkFitOptions = {}): Promise<this> {
    this.skipped = [];
    return withImageFiles(images, async (files, name) => {
      await super.fit(files, y, options);
      this.skipped = this.skipped.map((s) => ({ file: name(s.file), reason: s.reason }));
      return this;
    });
  }

  override async predictProba(images: ImageData): Promise<Matrix> {
    this.fitted();
    return (await this.predictReadable(images, { strict: true })).proba;
  }

  protected count(images: ImageData): number {
    return images.length;
  }

  /** The network's outputs (one sigmoid column for two classes); predictProba does not need them. */
  protected async predictOutputs(images: ImageData, state: NetworkState<E>): Promise<Float32Array> {
    const proba = await this.predictProba(images);
    if (state.classes.length > 2) return proba.data;
    return Float32Array.from({ length: proba.rows }, (_, i) => proba.data[2 * i + 1]);
  }
}
