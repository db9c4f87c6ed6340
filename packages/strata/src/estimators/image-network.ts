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

/**
 * A network classifier whose X is image files (ImageClassifier, TransferClassifier): files that
 * do not decode are skipped in training and listed, and prediction goes through
 * `predictReadable`, strict for `predictProba` (its rows must line up with the input).
 */
export abstract class ImageNetworkClassifier<
  P extends NetworkParams,
  E,
  L extends Label = Label,
> extends NetworkClassifier<readonly string[], P, E, L> {
  readonly input = "images";
  /** Unreadable training images the last fit skipped, with the reason. */
  skipped: SkippedFile[] = [];

  abstract predictReadable(
    files: readonly string[],
    options?: { strict?: boolean },
  ): Promise<ReadablePrediction>;

  override async fit(
    files: readonly string[],
    y: readonly L[],
    options: NetworkFitOptions = {},
  ): Promise<this> {
    this.skipped = [];
    return super.fit(files, y, options);
  }

  override async predictProba(files: readonly string[]): Promise<Matrix> {
    this.fitted();
    return (await this.predictReadable(files, { strict: true })).proba;
  }

  protected count(files: readonly string[]): number {
    return files.length;
  }

  /** The network's outputs (one sigmoid column for two classes); predictProba does not need them. */
  protected async predictOutputs(files: readonly string[], state: NetworkState<E>): Promise<Float32Array> {
    const proba = await this.predictProba(files);
    if (state.classes.length > 2) return proba.data;
    return Float32Array.from({ length: proba.rows }, (_, i) => proba.data[2 * i + 1]);
  }
}
