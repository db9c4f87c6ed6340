import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type * as tfl from "@tensorflow/tfjs-layers";
import { useBackend } from "../backend.js";
import { StrataError } from "../errors.js";
import { loadLayersModel, MODEL_JSON, saveLayersModel, WEIGHTS_BIN } from "../models/io.js";
import { trainValidationSplit } from "../split/holdout.js";
import type { EpochLogs, TrainListener } from "../train/listener.js";
import { fitModel, type TrainConfig, type TrainResult } from "../train/loop.js";
import type { LrSchedule } from "../train/schedule.js";
import type { BatchSource } from "../train/sources.js";
import { writeDirAtomic, writeJson } from "../util/atomic.js";
import type { Matrix } from "../util/matrix.js";
import { copyParams, type Params } from "../util/params.js";
import { mixSeed, withSeededMathRandom } from "../util/random.js";
import { VERSION } from "../version.js";
import { resumableCheckpoint, writeEpochCheckpoint } from "./checkpointing.js";
import {
  type Classifier,
  type FitOptions,
  type FitSummary,
  FORMAT_VERSION,
  type InputKind,
  MANIFEST,
  type Manifest,
} from "./estimator.js";
import { fitLabels, type Label, type LabelType, labelValues } from "./label-values.js";
import { decodeArgmax, encodeLabels, probaFromOutputs, resolveClasses, summarizeFit } from "./labels.js";
import { checkSavedParams } from "./param-check.js";
import { networkSummary, type SummaryOptions, showSummary } from "./summary.js";

/** Hyperparameters every network classifier has. */
export interface NetworkParams {
  /** Most epochs; early stopping may end sooner. */
  readonly epochs: number;
  /** Adam's (base) learning rate. */
  readonly learningRate: number;
  readonly schedule: LrSchedule;
  /** Epochs without a better validation loss before stopping; 0 trains all epochs. */
  readonly patience: number;
  /** Share of the training rows (or groups) held out for early stopping; 0: none. */
  readonly validationFraction: number;
  readonly seed: number;
}

/** fit's options for network classifiers: those of every classifier, plus checkpoints. */
export interface NetworkFitOptions extends FitOptions {
  /**
   * Folder for checkpoints, written after every epoch: `last/` holds the state to resume from
   * (weights, optimizer moments, early-stopping memory, history), `best/` a model directory of
   * the best epoch so far (loadable and usable for prediction like any saved model).
   */
  readonly checkpoint?: string;
  /**
   * Continue from the checkpoint's `last/` when it holds one (a fit that was interrupted): the
   * result is the same as an uninterrupted fit's. It must have been written for the same
   * settings and training data (a StrataError lists what differs). Without a checkpoint to
   * resume, the fit starts afresh.
   */
  readonly resume?: boolean;
  /**
   * Called as the fit goes, after `listener`, in order (Keras's callbacks): each may stop the
   * fit or save the model after any epoch (see TrainListener, EarlyStopping, ModelCheckpoint).
   */
  readonly callbacks?: readonly TrainListener[];
}

/** What a subclass prepares for one fit, from the training rows and their validation split. */
export interface PreparedFit<E> {
  readonly train: BatchSource;
  readonly validation?: BatchSource;
  /** Fitted state besides the network (e.g. the preprocessing pipeline), saved with it. */
  readonly extra: E;
  /** Builds the untrained network; runs in the fit's seeded scope, since initialisers draw from it. */
  build(): tfl.LayersModel;
  /** A fingerprint of the training data, so that a checkpoint of other data is not resumed. */
  readonly dataHash: string;
  /** Frees what the sources hold (tensors); called however the fit ends. */
  dispose(): void;
}

/** A fitted network classifier's state. */
export interface NetworkState<E> {
  readonly classes: readonly string[];
  /** The type of the labels fit got (absent: strings). */
  readonly labelType?: LabelType;
  readonly network: tfl.LayersModel;
  readonly extra: E;
  readonly summary?: FitSummary;
}

/**
 * What every network classifier shares: params with defaults (unknown names refused), the
 * validation split, the seeded fit through strata's one training loop with checkpoints and
 * resume, class probabilities from the network's outputs, the model directory (manifest,
 * network, the subclass's own files), fitted guards and dispose. A subclass says only how X
 * becomes batches (`prepare`), how it is predicted (`predictOutputs`), and what else it saves.
 *
 * Type parameters: X the input, P the params, E the fitted state besides the network, L the labels' type.
 */
export abstract class NetworkClassifier<X, P extends NetworkParams, E, L extends Label = Label>
  implements Classifier<X, L>
{
  abstract readonly kind: string;
  abstract readonly input: InputKind;
  readonly params: P;
  protected state?: NetworkState<E>;
  /** The type of the labels of the fit under way (for the directories it writes before it ends). */
  protected fitLabelType: LabelType = "string";

  protected constructor(
    /** The class name, for messages. */
    private readonly className: string,
    defaults: P,
    params: Partial<P>,
  ) {
    this.params = { ...defaults, ...definedParams(className, defaults, params) };
  }

  get classes(): readonly string[] {
    return this.fitted().classes;
  }

  get classLabels(): L[] {
    const state = this.fitted();
    return labelValues<L>(state.classes, state.labelType ?? "string");
  }

  get labelType(): LabelType {
    return this.fitted().labelType ?? "string";
  }

  get fitSummary(): FitSummary | undefined {
    return this.state?.summary;
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

  getParams(): Params {
    return copyParams(this.params);
  }

  abstract clone(): NetworkClassifier<X, P, E, L>;

  /** Throws a StrataError naming the first bad param. */
  protected abstract validateParams(): void;
  /** How many rows (or images) X holds. */
  protected abstract count(x: X): number;
  /** Batch sources, network builder and extra state for a fit on `split.fit`, validating on `split.validation`. */
  protected abstract prepare(
    x: X,
    yIndex: Int32Array,
    split: { readonly fit: readonly number[]; readonly validation: readonly number[] },
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
    return { epochs: p.epochs, learningRate: p.learningRate, schedule: p.schedule, patience: p.patience };
  }

  async fit(x: X, labels: readonly L[], options: NetworkFitOptions = {}): Promise<this> {
    this.validateParams();
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
    this.state = { ...(await this.train(x, yIndex, split, classes, options)), labelType: type };
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
    split: { readonly fit: readonly number[]; readonly validation: readonly number[] },
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
    if (options.callbacks !== undefined && !Array.isArray(options.callbacks))
      throw new StrataError(
        `${this.className}: the callbacks fit option must be an array of callbacks, got ${typeof options.callbacks}`,
      );
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

  /**
   * Writes `network` (mid-fit, as a callback's control.save asks) as a model directory: the
   * fit's classes and label type, its extra state, and a summary of the epochs so far.
   */
  protected async saveDuring(
    dir: string,
    state: Pick<NetworkState<E>, "classes" | "network" | "extra">,
    history: readonly EpochLogs[],
  ): Promise<void> {
    const summary = summarizeFit({
      epochsRun: history.length,
      bestEpoch: history.length,
      seconds: history.reduce((t, h) => t + h.seconds, 0),
      history,
    });
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

  async save(dir: string): Promise<void> {
    await writeDirAtomic(dir, (tmp) => this.writeFiles(tmp));
  }

  async writeFiles(dir: string): Promise<void> {
    await this.writeDirectory(dir, this.fitted());
  }

  /** Restores the fitted state from a directory written by writeFiles (the manifest checked). */
  protected async readState(dir: string, manifest: Manifest): Promise<this> {
    checkSavedParams(dir, () => this.validateParams());
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

  protected fitted(): NetworkState<E> {
    if (!this.state) throw new StrataError(`this ${this.className} is not fitted yet: call fit() first`);
    return this.state;
  }

  /** A StrataError naming the param, what it must be, and what it is. */
  protected badParam(name: string, expected: string, got: unknown): never {
    throw new StrataError(`${this.className}: ${name} must be ${expected}, got ${JSON.stringify(got)}`);
  }

  /** Checks the params every network has. */
  protected validateNetworkParams(maxValidation = 0.5): void {
    const p = this.params;
    if (!(Number.isInteger(p.epochs) && p.epochs > 0))
      this.badParam("epochs", "a positive integer", p.epochs);
    if (!(p.learningRate > 0)) this.badParam("learningRate", "> 0", p.learningRate);
    if (!(Number.isInteger(p.patience) && p.patience >= 0))
      this.badParam("patience", "an integer >= 0", p.patience);
    if (!(p.validationFraction >= 0 && p.validationFraction < maxValidation))
      this.badParam("validationFraction", `in [0, ${maxValidation})`, p.validationFraction);
    if (!Number.isInteger(p.seed)) this.badParam("seed", "an integer", p.seed);
  }

  private rowsName(): string {
    return this.input === "images" ? "images" : "rows";
  }

  protected async writeDirectory(dir: string, state: NetworkState<E>): Promise<void> {
    await mkdir(dir, { recursive: true });
    await saveLayersModel(state.network, dir);
    const extraFiles = await this.writeExtra(dir, state.extra);
    const manifest: Manifest = {
      format: FORMAT_VERSION,
      kind: this.kind,
      input: this.input,
      strataVersion: VERSION,
      params: this.getParams(),
      classes: state.classes,
      ...(state.labelType === undefined || state.labelType === "string"
        ? {}
        : { labelType: state.labelType }),
      fitSummary: state.summary,
      files: [MANIFEST, ...extraFiles, MODEL_JSON, WEIGHTS_BIN],
    };
    await writeJson(join(dir, MANIFEST), manifest);
  }
}

/** The params given, less those left undefined; a StrataError names any the estimator does not have. */
function definedParams<P extends object>(className: string, defaults: P, params: Partial<P>): Partial<P> {
  const known = Object.keys(defaults);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!Object.hasOwn(defaults, name))
      throw new StrataError(
        `${className}: unknown parameter "${name}"; the parameters are: ${known.join(", ")}`,
      );
    if (value !== undefined) out[name] = value;
  }
  return out as Partial<P>;
}
