import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type * as tfl from "@tensorflow/tfjs-layers";
import { useBackend } from "../backend.js";
import { StrataError } from "../errors.js";
import { type ImageInputConfig, predictImageOutputs } from "../images/batch-source.js";
import type { SkippedFile } from "../images/folder.js";
import { loadLayersModel, MODEL_JSON, saveLayersModel, WEIGHTS_BIN } from "../models/io.js";
import { trainValidationSplit } from "../split/holdout.js";
import type { EpochLogs, TrainListener } from "../train/listener.js";
import type { TrainConfig, TrainResult } from "../train/loop.js";
import type { BatchSource } from "../train/sources.js";
import { writeDirAtomic, writeJson } from "../util/atomic.js";
import { readJsonFile } from "../util/files.js";
import { checkScaling, scalingOf, TARGET_JSON, type TargetScaling } from "./dense-regressor.js";
import type { FitSummary, Manifest } from "./estimator.js";
import type { ImageReadOptions } from "./image-network.js";
import type { RegressionTraining } from "./image-regressor-params.js";
import { type ChosenRate, chooseRate, withChosenRate } from "./learning-rate.js";
import { checkCallbacks, seededFit, summaryAfter } from "./network.js";
import type { NetworkParams } from "./network-params.js";
import type { FitSplit } from "./network-types.js";
import { type ImageData, withImageFiles } from "./pixel-buffers.js";
import {
  type Regressor,
  RegressorBase,
  type RegressorFitOptions,
  type RegressorState,
  targetValues,
} from "./regressor.js";
import { networkSummary, type SummaryOptions, showSummary } from "./summary.js";

/** fit's options for image regressors: a regressor's (groups), the training loop's listener and callbacks, and how images are read. */
export interface ImageRegressorFitOptions extends RegressorFitOptions, ImageReadOptions {
  /** Progress of the fit (epochs, batches). */
  readonly listener?: TrainListener;
  /** Called after `listener`, in order (Keras's callbacks): each may stop the fit or save the model. */
  readonly callbacks?: readonly TrainListener[];
  /** MiB of decoded images kept in memory between epochs (see ImageFitOptions); default 512. */
  readonly memoryCacheMiB?: number;
}

/** A fitted image regressor: the network, the scaling its output is undone with, and the kind's own state. */
export interface ImageRegressorState<E> extends RegressorState {
  readonly network: tfl.LayersModel;
  readonly target: TargetScaling;
  readonly extra: E;
}

/** One fit as a kind trains it: the images, their standardised targets, the split, and how to save mid-fit. */
export interface ImageRegressionFit<E, O> {
  readonly files: readonly string[];
  /** Each image's target, standardised with the fit rows' mean and standard deviation. */
  readonly values: Float32Array;
  readonly split: FitSplit;
  readonly options: O;
  /** What a callback's control.save writes: `network` and `extra` as a model directory. */
  save(dir: string, history: readonly EpochLogs[], network: tfl.LayersModel, extra: E): Promise<void>;
}

/** Predictions for the images that decode, in input order, and the ones that did not. */
export interface ReadableRegression {
  /** One prediction per kept image, in the target's units. */
  readonly values: Float64Array;
  /** Indices into the input of the predicted images. */
  readonly kept: number[];
  readonly skipped: { input: string; reason: string }[];
}

/** A regressor of images, as loadImageRegressor gives it: predictions that may skip unreadable images. */
export interface ImageRegressor extends Regressor<ImageData> {
  readonly input: "images";
  /** Unreadable training images the last fit skipped, with the reason. */
  readonly skipped: readonly SkippedFile[];
  /** Predictions for the images that decode (see ImageNetworkRegressor.predictReadable). */
  predictReadable(images: ImageData, options?: ImageReadOptions): Promise<ReadableRegression>;
}

type ImageRegressorParams = NetworkParams & RegressionTraining;

/**
 * What every image regressor shares (CnnRegressor, ImageDenseRegressor, TransferRegressor): X
 * is image files or pixel buffers, as for the image classifiers; y numbers, standardised with
 * the fit rows' mean and standard deviation for the network (one linear output, MSE or Huber)
 * and saved beside it in target.json, as DenseRegressor does; the validation split (whole
 * groups with `groups`) for early stopping; the seeded training loop; the model directory.
 * A kind says how it trains (`train`), which images its network reads, and its own files.
 */
export abstract class ImageNetworkRegressor<
    P extends ImageRegressorParams,
    E,
    O extends ImageRegressorFitOptions = ImageRegressorFitOptions,
  >
  extends RegressorBase<P, ImageRegressorState<E>>
  implements ImageRegressor
{
  readonly input = "images";
  /** Unreadable training images the last fit skipped, with the reason. */
  skipped: SkippedFile[] = [];
  /** The rate a `learningRate: "auto"` fit's sweep picked (recorded in its summary). */
  private chosenRate?: ChosenRate;

  /** Trains a network on the fit's images; the caller owns it (and disposes it if a later step fails). */
  protected abstract train(fit: ImageRegressionFit<E, O>): Promise<{
    network: tfl.LayersModel;
    extra: E;
    summary: FitSummary;
  }>;
  /** How the fitted network reads images. */
  protected abstract inputConfig(state: ImageRegressorState<E>): ImageInputConfig;
  /** Writes the files besides the network, target.json and the manifest; returns their names. */
  protected abstract writeExtra(dir: string, extra: E): Promise<string[]>;
  protected abstract readExtra(dir: string, manifest: Manifest): Promise<E>;
  /** Checks a read network against the rest of its directory; throws a StrataError. */
  protected checkLoaded(_dir: string, _network: tfl.LayersModel, _extra: E): void {}

  /** The fitted TF.js network (its output is the standardised target). */
  get network(): tfl.LayersModel {
    return this.fitted().network;
  }

  /** The target's mean and standard deviation over the fit rows. */
  get targetScaling(): TargetScaling {
    return this.fitted().target;
  }

  /** The network as Keras's `model.summary()` shows it, the target's scaling in the title; `{ print: true }` prints it. */
  summary(options: SummaryOptions = {}): string {
    if (!this.state)
      throw new StrataError(
        `summary(): this ${this.className} has no network before fit: call fit() or load a saved model first`,
      );
    const { mean, std } = this.state.target;
    const title = `Model: ${this.className} (${this.kind}), predicting ${mean.toPrecision(4)} + ${std.toPrecision(4)} × output`;
    return showSummary(networkSummary(title, this.state.network), options);
  }

  async fit(images: ImageData, y: readonly number[], options: O = {} as O): Promise<this> {
    checkCallbacks(this.className, options);
    await useBackend();
    this.skipped = [];
    return withImageFiles(images, async (files, name) => {
      const all = targetValues(y, files.length);
      const p = this.params;
      const rows = Array.from({ length: files.length }, (_, i) => i);
      const split =
        p.validationFraction > 0
          ? trainValidationSplit(rows, p.validationFraction, p.seed, { groups: options.groups })
          : { fit: rows, validation: [] };
      const target = scalingOf(Float64Array.from(split.fit, (i) => all[i]));
      const values = Float32Array.from(all, (v) => (v - target.mean) / target.std);
      this.dispose();
      this.chosenRate = undefined;
      const trained = await this.train({
        files,
        values,
        split,
        options,
        save: (dir, history, network, extra) => this.saveDuring(dir, { network, extra, target }, history),
      });
      this.state = { ...trained, summary: withChosenRate(trained.summary, this.chosenRate), target };
      this.skipped = this.skipped.map((s) => ({ file: name(s.file), reason: s.reason }));
      return this;
    });
  }

  /** One prediction per image, in the target's units (every image must decode). */
  async predict(images: ImageData): Promise<Float64Array> {
    return (await this.predictReadable(images, { strict: true })).values;
  }

  /**
   * Predictions for the images that decode, in input order; unreadable ones are listed in
   * `skipped` (with `strict`, the first one throws instead).
   */
  async predictReadable(images: ImageData, options: ImageReadOptions = {}): Promise<ReadableRegression> {
    const state = this.fitted();
    await useBackend();
    return withImageFiles(images, async (files, name) => {
      const out = await predictImageOutputs(state.network, files, this.inputConfig(state), options);
      const { mean, std } = state.target;
      return {
        values: Float64Array.from(out.values, (v) => v * std + mean),
        kept: out.kept,
        skipped: out.skipped.map((s) => ({ input: name(s.input), reason: s.reason })),
      };
    });
  }

  /**
   * The seeded training loop with the fit's listener and callbacks (a phase may pass its own
   * seed); a NaN rate (learningRate "auto", see configRate) is first picked by a sweep with the
   * config's loss on the fresh network.
   */
  protected async loop(
    network: tfl.LayersModel,
    train: BatchSource,
    validation: BatchSource | undefined,
    config: TrainConfig,
    options: O,
    seed = this.params.seed,
  ): Promise<TrainResult> {
    const auto = await chooseRate(network, train, config, options.listener, seed);
    if (auto.chosen) this.chosenRate = auto.chosen;
    return seededFit(network, train, validation, auto.config, options, seed);
  }

  async writeFiles(dir: string): Promise<void> {
    await this.writeDirectory(dir, this.fitted());
  }

  /** Restores the fitted state from a directory written by writeFiles (the manifest checked). */
  protected async readState(dir: string, manifest: Manifest): Promise<this> {
    const target = checkScaling(await readJsonFile(join(dir, TARGET_JSON)), join(dir, TARGET_JSON));
    const extra = await this.readExtra(dir, manifest);
    await useBackend();
    const network = await loadLayersModel(dir);
    try {
      const units = network.outputs[0]?.shape[network.outputs[0].shape.length - 1];
      if (network.outputs.length !== 1 || units !== 1)
        throw new StrataError(
          `${dir}: damaged: a regressor's network has one output unit, but ${MODEL_JSON}'s has ${units}`,
        );
      this.checkLoaded(dir, network, extra);
    } catch (e) {
      network.dispose();
      throw e;
    }
    this.state = { network, target, extra, summary: manifest.fitSummary };
    return this;
  }

  dispose(): void {
    this.state?.network.dispose();
    this.state = undefined;
  }

  /** Writes the network mid-fit (a callback's control.save) with a summary of the epochs so far. */
  private async saveDuring(
    dir: string,
    state: Omit<ImageRegressorState<E>, "summary">,
    history: readonly EpochLogs[],
  ): Promise<void> {
    const summary = summaryAfter(history);
    await writeDirAtomic(dir, (tmp) => this.writeDirectory(tmp, { ...state, summary }));
  }

  private async writeDirectory(dir: string, state: ImageRegressorState<E>): Promise<void> {
    await mkdir(dir, { recursive: true });
    await saveLayersModel(state.network, dir);
    await writeJson(join(dir, TARGET_JSON), state.target);
    const extraFiles = await this.writeExtra(dir, state.extra);
    await this.writeOwnManifest(dir, {
      fitSummary: state.summary,
      files: [TARGET_JSON, ...extraFiles, MODEL_JSON, WEIGHTS_BIN],
    });
  }
}
