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
import { type BatchSource, fitBatches } from "../train/fit-batches.js";
import type { LrSchedule } from "../train/schedule.js";
import { writeDirAtomic, writeJson } from "../util/atomic.js";
import { type Matrix, matrix } from "../util/matrix.js";
import { withSeededMathRandom } from "../util/random.js";
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
  /** Fail on the first unreadable training image instead of skipping it. */
  readonly strict: boolean;
  readonly seed: number;
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
  cacheDir: null,
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

  async fit(files: readonly string[], y: readonly string[], options: FitOptions = {}): Promise<this> {
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
    const train = this.source(
      split.fit.map((i) => items[i]),
      classes,
      true,
    );
    const validation = split.validation.length
      ? this.source(
          split.validation.map((i) => items[i]),
          classes,
          false,
        )
      : undefined;
    this.dispose();
    const { network, result } = await withSeededMathRandom(p.seed, async () => {
      const inputShape: [number, number, number] = [shape.height, shape.width, shape.channels];
      const network =
        p.model === "cnn"
          ? buildCnn({ ...defaultCnnConfig(inputShape, classes.length), ...p.architecture })
          : buildFlatDense(inputShape, classes.length, p.hiddenUnits);
      const result = await fitBatches(
        network,
        train,
        validation,
        { epochs: p.epochs, learningRate: p.learningRate, schedule: p.schedule, patience: p.patience },
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
