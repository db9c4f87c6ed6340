import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { useBackend } from "../backend.js";
import { StrataError } from "../errors.js";
import { type AugmentConfig, makeAugmenter } from "../images/augment.js";
import type { ImageItem, SkippedFile } from "../images/folder.js";
import { ImageBatches } from "../images/loader.js";
import { DEFAULT_SCALING, type PixelScaling } from "../images/pixels.js";
import { buildCnn, buildFlatDense, type CnnConfig, defaultCnnConfig } from "../models/cnn.js";
import { loadLayersModel, MODEL_JSON, saveLayersModel, WEIGHTS_BIN } from "../models/io.js";
import { trainValidationSplit } from "../split/holdout.js";
import {
  type CheckpointIdentity,
  identityDifferences,
  readCheckpoint,
  writeCheckpoint,
} from "../train/checkpoint.js";
import { type BatchSource, fitBatches, type TrainingState } from "../train/fit-batches.js";
import type { LrSchedule } from "../train/schedule.js";
import { writeDirAtomic, writeJson } from "../util/atomic.js";
import { type Matrix, matrix } from "../util/matrix.js";
import { mixSeed, withSeededMathRandom } from "../util/random.js";
import { VERSION } from "../version.js";
import type { Classifier, FitOptions, FitSummary, Manifest, Params } from "./estimator.js";
import { FORMAT_VERSION, MANIFEST } from "./estimator.js";
import { decodeArgmax, encodeLabels, resolveClasses, summarizeFit, targetTensor } from "./labels.js";

/** Hyperparameters of an ImageClassifier; every one has a default. */
export interface ImageClassifierParams {
  /** "cnn": a convolutional network; "dense": a dense network on flattened pixels (the baseline). */
  readonly model: "cnn" | "dense";
  /** [height, width] every image is resized to. */
  readonly size: readonly [number, number];
  readonly channels: 1 | 3;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly schedule: LrSchedule;
  /** Epochs without a better validation loss before stopping (0: train all epochs). */
  readonly patience: number;
  /** Share of the training images held out (stratified) for validation; 0: none. */
  readonly validationFraction: number;
  /** Training-time augmentation (never applied when evaluating or predicting). */
  readonly augment: AugmentConfig | null;
  /** Hidden widths of the "dense" model. */
  readonly hiddenUnits: readonly number[];
  /** Overrides of the CNN's size-based defaults (filters per block, dropout, head, …); {} keeps them. */
  readonly architecture: Partial<Omit<CnnConfig, "inputShape" | "classes">>;
  readonly scaling: PixelScaling;
  /** Folder for decoded-pixel caching (reruns skip decoding); null: none. */
  readonly cacheDir: string | null;
  /**
   * MiB of decoded images kept in memory between epochs (a dataset under it is decoded once;
   * beyond it images are decoded again each epoch, so memory stays bounded); 0: stream every epoch.
   */
  readonly memoryCacheMiB: number;
  /** Fail on the first unreadable training image instead of skipping it. */
  readonly strict: boolean;
  readonly seed: number;
}

/** fit's options for image models: those of every classifier, plus checkpoints. */
export interface ImageFitOptions extends FitOptions {
  /**
   * Folder for checkpoints, written after every epoch: `last/` holds the state to resume from
   * (weights, optimizer moments, early-stopping memory, history), `best/` a model directory of
   * the best epoch so far (loadable and usable for prediction like any saved model).
   */
  readonly checkpoint?: string;
  /**
   * Continue from the checkpoint's `last/` when it holds one (a fit that was interrupted):
   * the result is the same as an uninterrupted fit's. It must have been written for the same
   * settings and training images (a StrataError lists what differs). Without a checkpoint to
   * resume, the fit starts afresh.
   */
  readonly resume?: boolean;
}

/** Subfolders of a checkpoint folder. */
export const CHECKPOINT_LAST = "last";
export const CHECKPOINT_BEST = "best";

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
  cacheDir: null,
  memoryCacheMiB: 512,
  strict: false,
  seed: 0,
};

/**
 * An image classifier whose X is a list of image files: images are decoded, resized, scaled and
 * (in training) augmented on the fly in streamed batches, so a dataset larger than memory trains.
 */
export class ImageClassifier implements Classifier<readonly string[]> {
  readonly kind = "image";
  readonly params: ImageClassifierParams;
  private state?: { classes: readonly string[]; network: tfl.LayersModel; summary?: FitSummary };
  /** Unreadable training images the last fit skipped, with the reason (see ImageBatches). */
  skipped: SkippedFile[] = [];

  constructor(params: Partial<ImageClassifierParams> = {}) {
    this.params = { ...IMAGE_DEFAULTS, ...params };
  }

  get classes(): readonly string[] {
    return this.fitted().classes;
  }

  get fitSummary(): FitSummary | undefined {
    return this.state?.summary;
  }

  get network(): tfl.LayersModel {
    return this.fitted().network;
  }

  getParams(): Params {
    return JSON.parse(JSON.stringify(this.params)) as Params;
  }

  clone(): ImageClassifier {
    return new ImageClassifier(this.getParams() as Partial<ImageClassifierParams>);
  }

  async fit(files: readonly string[], y: readonly string[], options: ImageFitOptions = {}): Promise<this> {
    if (files.length !== y.length)
      throw new StrataError(`fit: ${files.length} images but ${y.length} labels`);
    await useBackend();
    const p = this.params;
    const classes = resolveClasses(y, options.classes);
    encodeLabels(y, classes); // validates every label
    const items: ImageItem[] = files.map((file, i) => ({ file, label: y[i] }));
    const rows = items.map((_, i) => i);
    const split =
      p.validationFraction > 0
        ? trainValidationSplit(rows, p.validationFraction, p.seed, { stratify: y, groups: options.groups })
        : { fit: rows, validation: [] };
    const shape = { height: p.size[0], width: p.size[1], channels: p.channels };
    // The memory-cache budget is shared in proportion to the images each part holds.
    const train = this.source(
      split.fit.map((i) => items[i]),
      classes,
      true,
      split.fit.length / items.length,
    );
    const validation = split.validation.length
      ? this.source(
          split.validation.map((i) => items[i]),
          classes,
          false,
          split.validation.length / items.length,
        )
      : undefined;
    const identity = this.checkpointIdentity(classes, items, split);
    const resumed =
      options.checkpoint && options.resume ? await this.resumable(options.checkpoint, identity) : undefined;
    this.dispose();
    try {
      const { network, result } = await withSeededMathRandom(p.seed, async (reseed) => {
        const inputShape: [number, number, number] = [shape.height, shape.width, shape.channels];
        const network =
          p.model === "cnn"
            ? buildCnn({ ...defaultCnnConfig(inputShape, classes.length), ...p.architecture })
            : buildFlatDense(inputShape, classes.length, p.hiddenUnits);
        const dir = options.checkpoint;
        const result = await fitBatches(
          network,
          train,
          validation,
          {
            epochs: p.epochs,
            learningRate: p.learningRate,
            schedule: p.schedule,
            patience: p.patience,
            resume: resumed?.state,
            // Dropout draws from (seed, epoch) only, so resuming at any epoch gives the same fit.
            onEpochStart: (epoch) => reseed(mixSeed(p.seed, epoch)),
            checkpoint: dir
              ? (state, model) => this.writeCheckpoint(dir, identity, state, model, classes)
              : undefined,
          },
          options.listener,
        );
        return { network, result };
      });
      this.skipped = [...train.skipped, ...(validation?.skipped ?? [])];
      this.state = {
        classes,
        network,
        summary: summarizeFit(result),
      };
    } finally {
      resumed?.dispose();
    }
    return this;
  }

  /** Shape [files.length, classes.length]. Every file must decode (predictions line up with the input). */
  async predictProba(files: readonly string[]): Promise<Matrix> {
    return (await this.predictReadable(files, true)).proba;
  }

  /**
   * Probabilities for the files that decode: `files` lists them (in input order) and `proba` has
   * one row each; unreadable ones are in `skipped` (with `strict`, the first one throws instead).
   */
  async predictReadable(
    files: readonly string[],
    strict = false,
  ): Promise<{ proba: Matrix; files: string[]; skipped: SkippedFile[] }> {
    const { network, classes } = this.fitted();
    await useBackend();
    const p = this.params;
    const k = classes.length;
    const batches = new ImageBatches({
      items: files.map((file) => ({ file, label: classes[0] })),
      classes,
      width: p.size[1],
      height: p.size[0],
      channels: p.channels,
      batchSize: 64,
      scaling: p.scaling,
      strict,
      cacheDir: p.cacheDir ?? undefined,
    });
    const rows: Float32Array[] = [];
    const kept: string[] = [];
    for await (const batch of batches) {
      const values = tf.tidy(() => {
        const x = tf.tensor4d(batch.x, [batch.n, p.size[0], p.size[1], p.channels]);
        return network.predict(x) as tf.Tensor2D;
      });
      const data = (await values.data()) as Float32Array;
      values.dispose();
      for (let i = 0; i < batch.n; i++) {
        rows.push(k === 2 ? Float32Array.of(1 - data[i], data[i]) : data.slice(i * k, (i + 1) * k));
        kept.push(batch.files[i]);
      }
    }
    const proba = matrix(rows.length, k);
    rows.forEach((r, i) => {
      proba.data.set(r, i * k);
    });
    return { proba, files: kept, skipped: batches.skipped };
  }

  async predict(files: readonly string[]): Promise<string[]> {
    return decodeArgmax(await this.predictProba(files), this.classes);
  }

  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, (tmp) => this.writeFiles(tmp));
  }

  async writeFiles(dir: string): Promise<void> {
    const { classes, network, summary } = this.fitted();
    await this.writeNetworkFiles(dir, network, classes, summary);
  }

  private async writeNetworkFiles(
    dir: string,
    network: tfl.LayersModel,
    classes: readonly string[],
    summary: FitSummary | undefined,
  ): Promise<void> {
    await mkdir(dir, { recursive: true });
    await saveLayersModel(network, dir);
    const manifest: Manifest = {
      format: FORMAT_VERSION,
      kind: this.kind,
      strataVersion: VERSION,
      params: this.getParams(),
      classes,
      fitSummary: summary,
      files: [MANIFEST, MODEL_JSON, WEIGHTS_BIN],
    };
    await writeJson(join(dir, MANIFEST), manifest);
  }

  /** What a checkpoint of this fit must match: the settings that change the result, and the images. */
  private checkpointIdentity(
    classes: readonly string[],
    items: readonly ImageItem[],
    split: { fit: readonly number[]; validation: readonly number[] },
  ): CheckpointIdentity {
    // Where pixels are cached and whether bad files stop the fit do not change the model.
    const { cacheDir: _cache, memoryCacheMiB: _memory, strict: _strict, ...params } = this.getParams();
    const hash = createHash("sha256");
    for (const part of [split.fit, split.validation]) {
      for (const i of part) hash.update(`${items[i].file}\0${items[i].label}\0`);
      hash.update("\n");
    }
    return { kind: this.kind, params, classes, data: hash.digest("hex") };
  }

  /** The checkpoint in `dir`'s `last/`, if any; a StrataError if it belongs to another fit. */
  private async resumable(dir: string, identity: CheckpointIdentity) {
    const last = join(dir, CHECKPOINT_LAST);
    const checkpoint = await readCheckpoint(last);
    if (!checkpoint) return undefined;
    const differences = identityDifferences(checkpoint.identity, identity);
    if (differences.length) {
      checkpoint.dispose();
      throw new StrataError(
        `${last}: this checkpoint is of another fit, so it cannot be resumed (${differences.join("; ")}); remove it, or resume with the same settings and images`,
      );
    }
    return checkpoint;
  }

  /** After an epoch: the state to resume from, and the model directory of the best epoch when this one is it. */
  private async writeCheckpoint(
    dir: string,
    identity: CheckpointIdentity,
    state: TrainingState,
    network: tfl.LayersModel,
    classes: readonly string[],
  ): Promise<void> {
    const latest = state.history[state.history.length - 1];
    if (latest?.improved) {
      const summary = summarizeFit({
        epochsRun: state.epoch,
        bestEpoch: state.epoch,
        seconds: state.seconds,
        history: state.history,
      });
      await writeDirAtomic(join(dir, CHECKPOINT_BEST), (tmp) =>
        this.writeNetworkFiles(tmp, network, classes, summary),
      );
    }
    await writeCheckpoint(join(dir, CHECKPOINT_LAST), identity, state);
  }

  static async readFiles(dir: string, manifest: Manifest): Promise<ImageClassifier> {
    const model = new ImageClassifier(manifest.params as Partial<ImageClassifierParams>);
    model.state = {
      classes: manifest.classes,
      network: await loadLayersModel(dir),
      summary: manifest.fitSummary,
    };
    return model;
  }

  dispose(): void {
    this.state?.network.dispose();
    this.state = undefined;
  }

  private fitted() {
    if (!this.state) throw new StrataError("this ImageClassifier is not fitted yet: call fit() first");
    return this.state;
  }

  /** Streams items as tensors: augmented and shuffled for training, in order for evaluation. */
  private source(
    items: ImageItem[],
    classes: readonly string[],
    training: boolean,
    cacheShare: number,
  ): BatchSource & { skipped: SkippedFile[] } {
    const p = this.params;
    const shape = { height: p.size[0], width: p.size[1], channels: p.channels };
    const batches = new ImageBatches({
      items,
      classes,
      width: shape.width,
      height: shape.height,
      channels: p.channels,
      batchSize: p.batchSize,
      seed: training ? p.seed : undefined,
      augment: training && p.augment ? makeAugmenter(p.augment, shape) : undefined,
      scaling: p.scaling,
      cacheDir: p.cacheDir ?? undefined,
      memoryCacheBytes: Math.floor(cacheShare * p.memoryCacheMiB * 2 ** 20),
      strict: p.strict,
    });
    const k = classes.length;
    return {
      skipped: batches.skipped,
      samples: items.length,
      batchesPerEpoch: Math.ceil(items.length / p.batchSize),
      async *batches(epoch: number) {
        for await (const batch of batches.epoch(epoch)) {
          const x = tf.tensor4d(batch.x, [batch.n, shape.height, shape.width, shape.channels]);
          yield { x, y: targetTensor(batch.y, k) };
        }
      },
    };
  }
}
