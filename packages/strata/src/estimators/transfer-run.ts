import type * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { type ImageInputConfig, type ImageReading, imageSource } from "../images/batch-source.js";
import type { SkippedFile } from "../images/folder.js";
import type { NetworkOutputs } from "../models/cnn.js";
import type { EpochLogs } from "../train/listener.js";
import type { TrainConfig, TrainResult } from "../train/loop.js";
import type { BatchSource } from "../train/sources.js";
import type { LossChoice } from "../train/step.js";
import type { ImageFitOptions } from "./image-network.js";
import { targetTensor } from "./labels.js";
import type { FitSplit } from "./network-types.js";
import type { TransferClassifierParams } from "./transfer-params.js";

/** fit's options for transfer models: those of image models, plus a memory budget. */
export interface TransferFitOptions extends ImageFitOptions {
  /**
   * MiB the frozen trunk's activations may take when fine-tuning on them (default 2048); more,
   * and fine-tuning runs on whole images every epoch instead (slower, same result type).
   */
  readonly trunkCacheMiB?: number;
}

/** What one phase of a transfer fit took (features, head, trunk, fine-tune, train). */
export interface PhaseTime {
  readonly name: string;
  readonly seconds: number;
  /** Images whose features came from the disk cache (the features phase). */
  readonly cached?: number;
}

/**
 * What every phase of one transfer fit works on (the network and its parts, the images and
 * labels, the fit's options), and how a phase trains and reports back to the classifier.
 */
export interface TransferRun {
  readonly params: TransferClassifierParams;
  /** The whole network: preprocessing, backbone and head, sharing their layers with the two below. */
  readonly network: tfl.LayersModel;
  readonly head: tfl.LayersModel;
  readonly backbone: tfl.LayersModel;
  readonly files: readonly string[];
  /** What the network learns of each image: a class, or a number. */
  readonly target: ImageTarget;
  /** Which images train and which validate (indices into `files`). */
  readonly split: FitSplit;
  /** [height, width] the images are resized to. */
  readonly size: readonly [number, number];
  readonly options: TransferFitOptions;
  /**
   * Runs strata's training loop with the fit's listener and callbacks, its random draws seeded
   * from `seed` (default: the params' seed) and the epoch.
   */
  loop(
    network: tfl.LayersModel,
    train: BatchSource,
    validation: BatchSource | undefined,
    config: TrainConfig,
    seed?: number,
  ): Promise<TrainResult>;
  /** What a callback's control.save writes in any phase: the whole network as a model directory. */
  save(dir: string, history: readonly EpochLogs[]): Promise<void>;
  /** Records training or validation images a phase could not read. */
  skip(files: readonly SkippedFile[]): void;
  /** Records what a phase took. */
  time(phase: PhaseTime): void;
}

/**
 * What an image network learns of each of a fit's images, for a classifier (its class) or a
 * regressor (its number): the network's outputs, the loss, and y as tensors or with the images.
 */
export interface ImageTarget {
  readonly outputs: NetworkOutputs;
  /** The training loop's loss (absent: cross-entropy). */
  readonly loss: LossChoice;
  /** y of the images at these indices (into the fit's files), row after row. */
  tensor(rows: readonly number[]): tf.Tensor;
  /** The images at these indices with their y, as streamed (and, with a seed, augmented) batches. */
  images(
    rows: readonly number[],
    input: ImageInputConfig,
    reading: ImageReading,
  ): BatchSource & { readonly skipped: SkippedFile[] };
}

/** A classifier's target: each image's class index into `classes` (one-hot, or 0/1 for two). */
export function classTarget(
  files: readonly string[],
  yIndex: Int32Array,
  classes: readonly string[],
): ImageTarget {
  return {
    outputs: classes.length,
    loss: {},
    tensor: (rows) =>
      targetTensor(
        rows.map((i) => yIndex[i]),
        classes.length,
      ),
    images: (rows, input, reading) =>
      imageSource(
        rows.map((i) => ({ file: files[i], label: classes[yIndex[i]] })),
        classes,
        input,
        reading,
      ),
  };
}
