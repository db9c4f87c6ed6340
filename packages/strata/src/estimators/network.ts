import { mkdir } from "node:fs/promises";
import type * as tfl from "@tensorflow/tfjs-layers";
import { useBackend } from "../backend.js";
import { StrataError } from "../errors.js";
import { loadLayersModel, MODEL_JSON, saveLayersModel, WEIGHTS_BIN } from "../models/io.js";
import { trainValidationSplit } from "../split/holdout.js";
import type { EpochLogs } from "../train/listener.js";
import { fitModel, type TrainConfig, type TrainResult } from "../train/loop.js";
import type { BatchSource } from "../train/sources.js";
import { writeDirAtomic } from "../util/atomic.js";
import type { Matrix } from "../util/matrix.js";
import { mixSeed, withSeededMathRandom } from "../util/random.js";
import { ClassifierBase } from "./base.js";
import { resumableCheckpoint, writeEpochCheckpoint } from "./checkpointing.js";
import { type Classifier, type FitSummary, MANIFEST, type Manifest } from "./estimator.js";
import { fitLabels, type Label, type LabelType, labelValues } from "./label-values.js";
import { decodeArgmax, encodeLabels, probaFromOutputs, resolveClasses, summarizeFit } from "./labels.js";
import { type ChosenRate, chooseRate, configRate } from "./learning-rate.js";
import type { NetworkParams } from "./network-params.js";
import type { FitSplit, NetworkFitOptions, NetworkState, PreparedFit } from "./network-types.js";
import type { ParamSchema } from "./param-schema.js";
import { networkSummary, type SummaryOptions, showSummary } from "./summary.js";

export type { NetworkParams } from "./network-params.js";
export type { FitSplit, NetworkFitOptions, NetworkState, PreparedFit } from "./network-types.js";

/**
 * What every network classifier shares (besides ClassifierBase's params, guard and save): the
 * validation split, the seeded fit through strata's one training loop with checkpoints and
 * resume, class probabilities from the network's outputs, the model directory (manifest,
 * network, the subclass's own files), `summary()` and dispose. A subclass says only how X
 * becomes batches (`prepare`), how it is predicted (`predictOutputs`), and what else it saves.
 *
 * Type parameters: X the input, P the params, E the fitted state besides the network, L the labels' type.
 */
export abstract class NetworkClassifier<X, P extends NetworkParams, E, L extends Label = Label>
  extends ClassifierBase<P, NetworkState<E>, L>
  implements Classifier<X, L>
{
  /** The type of the labels of the fit under way (for the directories it writes before it ends). */
  protected fitLabelType: LabelType = "string";
  /** The rate a `learningRate: "auto"` fit's sweep picked (recorded in its summary). */
  private chosenRate?: ChosenRate;

  protected constructor(
    /** The class name, for messages. */
    className: string,
    /** The kind's params: their defaults, checks and flags. */
    schema: ParamSchema<P>,
    params: Partial<P>,
  ) {
    super(className, schema, params);
  }

  /** The fitted TF.js network. */
  get network(): tfl.LayersModel {
    return this.fitted().network;
  }

  /**
   * The fitted network as Keras's `model.summary()` shows it: each layer with its output shape
   * and parameter count, then the total, trainable and non-trainable counts. Returned as text;
   * `{ print: true }` also prints it. Before fit there is no network (its input width and
   * output units come from the data): a StrataError says so.
   */
  summary(options: SummaryOptions = {}): string {
    if (!this.state)
      throw new StrataError(
        `summary(): this ${this.className} has no network before fit (its layers depend on the data's columns and classes): call fit() or load a saved model first`,
      );
    const { classes, network } = this.state;
    const shown = classes.length > 10 ? [...classes.slice(0, 10), "…"] : classes;
    const title = `Model: ${this.className} (${this.kind}), ${classes.length} classes (${shown.join(", ")})`;
    return showSummary(networkSummary(title, network), options);
  }

  /** How many rows (or images) X holds. */
  protected abstract count(x: X): number;
  /** Batch sources, network builder and extra state for a fit on `split.fit`, validating on `split.validation`. */
  protected abstract prepare(
    x: X,
    yIndex: Int32Array,
    split: FitSplit,
    classes: readonly string[],
    options: NetworkFitOptions,
  ): Promise<PreparedFit<E>>;
  /** The network's outputs for X, row after row ([n, 1] for two classes, else [n, classes]). */
  protected abstract predictOutputs(x: X, state: NetworkState<E>): Promise<Float32Array>;
  /** Writes the files besides the network and the manifest; returns their names. */
  protected abstract writeExtra(dir: string, extra: E): Promise<string[]>;
  /** Reads what writeExtra wrote. */
  protected abstract readExtra(dir: string, manifest: Manifest): Promise<E>;

  /** The training loop's settings from the params (subclasses add layer groups and the like). */
  protected trainConfig(): TrainConfig {
    const p = this.params;
    return {
      epochs: p.epochs,
      learningRate: configRate(p.learningRate),
      schedule: p.schedule,
      patience: p.patience,
    };
  }

  async fit(x: X, labels: readonly L[], options: NetworkFitOptions = {}): Promise<this> {
    const n = this.count(x);
    const { y, type, classes: given } = fitLabels(labels, options.classes);
    if (y.length !== n) throw new StrataError(`fit: ${n} ${this.rowsName()} but ${y.length} labels`);
    await useBackend();
    const p = this.params;
    const classes = resolveClasses(y, given);
    const yIndex = encodeLabels(y, classes);
    const rows = Array.from({ length: n }, (_, i) => i);
    const split =
      p.validationFraction > 0
        ? trainValidationSplit(rows, p.validationFraction, p.seed, { stratify: y, groups: options.groups })
        : { fit: rows, validation: [] };
    this.dispose();
    this.fitLabelType = type;
    this.chosenRate = undefined;
    const trained = await this.train(x, yIndex, split, classes, options);
    const rate = this.chosenRate;
    const summary = rate && trained.summary ? { ...trained.summary, learningRate: rate } : trained.summary;
    this.state = { ...trained, summary, labelType: type };
    return this;
  }

  /**
   * The fit itself, after the params, labels and validation split are settled: by default one
   * run of the training loop on what `prepare` makes, with checkpoints and resume. Subclasses
   * that train in phases (transfer learning) override it and call `runLoop` per phase.
   */
  protected async train(
    x: X,
    yIndex: Int32Array,
    split: FitSplit,
    classes: readonly string[],
    options: NetworkFitOptions,
  ): Promise<NetworkState<E>> {
    const p = this.params;
    const prepared = await this.prepare(x, yIndex, split, classes, options);
    let resumed: Awaited<ReturnType<typeof resumableCheckpoint>>;
    try {
      const identity = { kind: this.kind, params: this.getParams(), classes, data: prepared.dataHash };
      const dir = options.checkpoint;
      resumed = dir && options.resume ? await resumableCheckpoint(dir, identity) : undefined;
      const network = await withSeededMathRandom(p.seed, async () => prepared.build());
      try {
        const result = await this.runLoop(
          network,
          prepared.train,
          prepared.validation,
          {
            ...this.trainConfig(),
            resume: resumed?.state,
            save: (to, history) => this.saveDuring(to, { classes, network, extra: prepared.extra }, history),
            checkpoint: dir
              ? (state, model) =>
                  writeEpochCheckpoint(dir, identity, state, (tmp, summary) =>
                    this.writeDirectory(tmp, {
                      classes,
                      labelType: this.fitLabelType,
                      network: model,
                      extra: prepared.extra,
                      summary,
                    }),
                  )
              : undefined,
          },
          options,
        );
        return { classes, network, extra: prepared.extra, summary: summarizeFit(result) };
      } catch (e) {
        network.dispose();
        throw e;
      }
    } finally {
      prepared.dispose();
      resumed?.dispose();
    }
  }

  /**
   * Runs the training loop on `network` with the random draws of dropout seeded from (seed,
   * epoch) only, so that resuming at any epoch gives the same fit; `seed` defaults to the
   * params' (a phase of a multi-phase fit passes its own). The caller owns the network.
   */
  protected async runLoop(
    network: tfl.LayersModel,
    train: BatchSource,
    validation: BatchSource | undefined,
    config: TrainConfig,
    options: Pick<NetworkFitOptions, "listener" | "callbacks">,
    seed = this.params.seed,
  ): Promise<TrainResult> {
    checkCallbacks(this.className, options);
    // learningRate "auto": a sweep on the fresh network picks the rate first.
    const auto = await chooseRate(network, train, config, options.listener, seed);
    if (auto.chosen) this.chosenRate = auto.chosen;
    return seededFit(network, train, validation, auto.config, options, seed);
  }

  /**
   * Writes `network` (mid-fit, as a callback's control.save asks) as a model directory: the
   * fit's classes and label type, its extra state, and a summary of the epochs so far.
   */
  protected async saveDuring(
    dir: string,
    state: Pick<NetworkState<E>, "classes" | "network" | "extra">,
    history: readonly EpochLogs[],
  ): Promise<void> {
    const summary = summaryAfter(history);
    await writeDirAtomic(dir, (tmp) =>
      this.writeDirectory(tmp, { ...state, labelType: this.fitLabelType, summary }),
    );
  }

  async predictProba(x: X): Promise<Matrix> {
    const state = this.fitted();
    await useBackend();
    return probaFromOutputs(await this.predictOutputs(x, state), state.classes.length);
  }

  async predict(x: X): Promise<L[]> {
    const state = this.fitted();
    return labelValues<L>(
      decodeArgmax(await this.predictProba(x), state.classes),
      state.labelType ?? "string",
    );
  }

  async writeFiles(dir: string): Promise<void> {
    await this.writeDirectory(dir, this.fitted());
  }

  /** Restores the fitted state from a directory written by writeFiles (the manifest checked). */
  protected async readState(dir: string, manifest: Manifest): Promise<this> {
    const extra = await this.readExtra(dir, manifest);
    const network = await loadLayersModel(dir);
    try {
      const units = network.outputs[0]?.shape[network.outputs[0].shape.length - 1];
      const expected = manifest.classes.length === 2 ? 1 : manifest.classes.length;
      if (network.outputs.length !== 1 || units !== expected)
        throw new StrataError(
          `${dir}: damaged: ${MANIFEST} lists ${manifest.classes.length} classes but ${MODEL_JSON}'s network has ${units} output${units === 1 ? "" : "s"} (expected ${expected})`,
        );
      this.checkLoaded(dir, network, extra);
    } catch (e) {
      network.dispose();
      throw e;
    }
    this.state = {
      classes: manifest.classes,
      labelType: manifest.labelType,
      network,
      extra,
      summary: manifest.fitSummary,
    };
    return this;
  }

  /** Checks a read network against the rest of its directory (e.g. its input width); throws a StrataError. */
  protected checkLoaded(_dir: string, _network: tfl.LayersModel, _extra: E): void {}

  dispose(): void {
    this.state?.network.dispose();
    this.state = undefined;
  }

  private rowsName(): string {
    return this.input === "images" ? "images" : "rows";
  }

  protected async writeDirectory(dir: string, state: NetworkState<E>): Promise<void> {
    await mkdir(dir, { recursive: true });
    await saveLayersModel(state.network, dir);
    const extraFiles = await this.writeExtra(dir, state.extra);
    await this.writeOwnManifest(dir, {
      classes: state.classes,
      labelType: state.labelType,
      fitSummary: state.summary,
      files: [...extraFiles, MODEL_JSON, WEIGHTS_BIN],
    });
  }
}

/**
 * strata's training loop on `network` with the random draws of dropout seeded from (seed, epoch)
 * only, so that resuming at any epoch gives the same fit, and the fit's listener then callbacks.
 */
export function seededFit(
  network: tfl.LayersModel,
  train: BatchSource,
  validation: BatchSource | undefined,
  config: TrainConfig,
  options: Pick<NetworkFitOptions, "listener" | "callbacks">,
  seed: number,
): Promise<TrainResult> {
  return withSeededMathRandom(seed, (reseed) =>
    fitModel(
      network,
      train,
      validation,
      { ...config, onEpochStart: (epoch) => reseed(mixSeed(seed, epoch)) },
      [options.listener, ...(options.callbacks ?? [])],
    ),
  );
}

/** A summary of the epochs run so far (what a mid-fit save records): every one run, the last kept. */
export function summaryAfter(history: readonly EpochLogs[]): FitSummary {
  return summarizeFit({
    epochsRun: history.length,
    bestEpoch: history.length,
    seconds: history.reduce((t, h) => t + h.seconds, 0),
    history,
  });
}

/** Refuses a callbacks fit option that is not an array (a StrataError naming the class). */
export function checkCallbacks(className: string, options: Pick<NetworkFitOptions, "callbacks">): void {
  if (options.callbacks !== undefined && !Array.isArray(options.callbacks))
    throw new StrataError(
      `${className}: the callbacks fit option must be an array of callbacks, got ${typeof options.callbacks}`,
    );
}
