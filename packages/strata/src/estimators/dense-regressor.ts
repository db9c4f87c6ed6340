import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { useBackend } from "../backend.js";
import type { TableData } from "../data/plain.js";
import type { PreprocessOptions } from "../data/preprocess.js";
import { StrataError } from "../errors.js";
import { buildDenseRegressionNetwork } from "../models/dense-regression.js";
import { loadLayersModel, MODEL_JSON, saveLayersModel, WEIGHTS_BIN } from "../models/io.js";
import { predictTensor } from "../train/forward.js";
import type { TrainListener } from "../train/listener.js";
import { type TrainConfig, fitModel as trainNetwork } from "../train/loop.js";
import { tensorSource } from "../train/sources.js";
import { writeJson } from "../util/atomic.js";
import { describeJson, readJsonFile } from "../util/files.js";
import type { Matrix } from "../util/matrix.js";
import { mixSeed, withSeededMathRandom } from "../util/random.js";
import { autoBatchSize } from "./dense.js";
import { DENSE_REGRESSOR_PARAMS, type DenseRegressorParams } from "./dense-regressor-params.js";
import type { Manifest } from "./estimator.js";
import { summarizeFit } from "./labels.js";
import { type ChosenRate, chooseRate, configRate, withChosenRate } from "./learning-rate.js";
import { checkSavedParams } from "./param-check.js";
import type { RegressorFitOptions } from "./regressor.js";
import { networkSummary, type SummaryOptions, showSummary } from "./summary.js";
import { type RegressionFitResult, type RegressionTrainingSet, TableRegressor } from "./table-regressor.js";

export {
  DENSE_REGRESSOR_DEFAULTS,
  DENSE_REGRESSOR_PARAMS,
  type DenseRegressorParams,
  type RegressionLoss,
} from "./dense-regressor-params.js";

/** The file that holds the target's scaling, beside the network. */
export const TARGET_JSON = "target.json";

/** How the target was standardised for the network: it learns (y - mean) / std. */
export interface TargetScaling {
  readonly mean: number;
  readonly std: number;
}

/** A fitted dense regressor: the network and the scaling its output is undone with. */
export interface DenseRegressionModel {
  readonly network: tfl.LayersModel;
  readonly target: TargetScaling;
}

/** fit's options: a regressor's (groups), and the training loop's listener and callbacks. */
export interface DenseRegressorFitOptions extends RegressorFitOptions {
  /** Progress of the fit (epochs, batches). */
  readonly listener?: TrainListener;
  /** Called after `listener`, in order (Keras's callbacks): each may stop the fit. */
  readonly callbacks?: readonly TrainListener[];
}

/**
 * A dense neural network regressor on tabular data: DenseClassifier's preprocessing, hidden
 * layers and training loop, with one linear output trained with mean squared error (or Huber's
 * loss, `loss: "huber"`) on the target standardised with the training rows' mean and standard
 * deviation (saved with the model and undone in predict). Early stopping watches the loss on
 * a validation split of the training rows (whole groups when `groups` are given); seeded.
 *
 * ```ts
 * const model = new DenseRegressor({ hiddenUnits: [64, 32] });
 * await model.fit(rows, popularity);
 * const predicted = await model.predict(newRows); // Float64Array, in the target's units
 * ```
 */
export class DenseRegressor extends TableRegressor<
  DenseRegressorParams,
  DenseRegressionModel,
  DenseRegressorFitOptions
> {
  readonly kind = "dense-regressor";
  /** The rate a `learningRate: "auto"` fit's sweep picked (recorded in its summary). */
  private chosenRate?: ChosenRate;

  constructor(params: Partial<DenseRegressorParams> = {}) {
    super("DenseRegressor", DENSE_REGRESSOR_PARAMS, params);
  }

  /** The fitted TF.js network (its output is the standardised target). */
  get network(): tfl.LayersModel {
    return this.fitted().model.network;
  }

  /**
   * The fitted network as Keras's `model.summary()` shows it (layers, output shapes, parameter
   * counts), with the target's scaling in the title; `{ print: true }` also prints it.
   */
  summary(options: SummaryOptions = {}): string {
    if (!this.state)
      throw new StrataError(
        `summary(): this DenseRegressor has no network before fit (its input width depends on the data's columns): call fit() or load a saved model first`,
      );
    const { mean, std } = this.state.model.target;
    const title = `Model: DenseRegressor (${this.kind}), predicting ${mean.toPrecision(4)} + ${std.toPrecision(4)} × output`;
    return showSummary(networkSummary(title, this.state.model.network), options);
  }

  /** The target's mean and standard deviation over the fit rows. */
  get targetScaling(): TargetScaling {
    return this.fitted().model.target;
  }

  static async read(dir: string, manifest: Manifest): Promise<DenseRegressor> {
    const params = manifest.params as Partial<DenseRegressorParams>;
    return checkSavedParams(dir, () => new DenseRegressor(params)).readState(dir, manifest);
  }

  /** TableRegressor's fit, with the rate an auto fit's sweep chose recorded in the fit summary. */
  override async fit(
    rows: TableData,
    y: readonly number[],
    options: DenseRegressorFitOptions = {},
  ): Promise<this> {
    this.chosenRate = undefined;
    await super.fit(rows, y, options);
    if (this.state)
      this.state = { ...this.state, summary: withChosenRate(this.state.summary, this.chosenRate) };
    return this;
  }

  protected preprocessOptions(): PreprocessOptions {
    return { standardize: this.params.standardize, maxCategories: this.params.maxCategories };
  }

  protected validationFraction(): number {
    return this.params.validationFraction;
  }

  protected splitSeed(): number {
    return this.params.seed;
  }

  protected async fitModel(
    data: RegressionTrainingSet,
    options: DenseRegressorFitOptions,
  ): Promise<RegressionFitResult<DenseRegressionModel>> {
    await useBackend();
    const p = this.params;
    const target = scalingOf(data.y);
    const batchSize = p.batchSize === "auto" ? autoBatchSize(data.x.rows) : p.batchSize;
    const owned: tf.Tensor[] = [];
    const source = (x: Matrix, y: Float64Array, seed?: number) => {
      const features = tf.tensor2d(x.data, [x.rows, x.cols]);
      const scaled = tf.tensor2d(
        Float32Array.from(y, (v) => (v - target.mean) / target.std),
        [y.length, 1],
      );
      owned.push(features, scaled);
      return tensorSource(features, scaled, { batchSize, seed });
    };
    try {
      const train = source(data.x, data.y, p.seed);
      const validation = data.validation ? source(data.validation.x, data.validation.y) : undefined;
      const network = await withSeededMathRandom(p.seed, async () =>
        buildDenseRegressionNetwork({ ...p, inputDim: data.x.cols }),
      );
      try {
        const given: TrainConfig = {
          epochs: p.epochs,
          learningRate: configRate(p.learningRate),
          schedule: p.schedule,
          patience: p.patience,
          loss: p.loss,
          // Huber's delta is in the standardised target's units (standard deviations).
          ...(p.loss === "huber" ? { huberDelta: p.huberDelta } : {}),
        };
        // learningRate "auto": a sweep with this loss on the fresh network picks the rate first.
        const { config, chosen } = await chooseRate(network, train, given, options.listener, p.seed);
        this.chosenRate = chosen;
        const result = await withSeededMathRandom(p.seed, (reseed) =>
          trainNetwork(
            network,
            train,
            validation,
            { ...config, onEpochStart: (epoch) => reseed(mixSeed(p.seed, epoch)) },
            [options.listener, ...(options.callbacks ?? [])],
          ),
        );
        const summary = summarizeFit(result);
        return {
          model: { network, target },
          epochsRun: summary.epochsRun,
          bestEpoch: summary.bestEpoch,
          history: summary.history,
        };
      } catch (e) {
        network.dispose();
        throw e;
      }
    } finally {
      tf.dispose(owned);
    }
  }

  protected predictModel(x: Matrix, model: DenseRegressionModel): Float64Array {
    const { mean, std } = model.target;
    const values = tf.tidy(() => {
      const out = predictTensor(model.network, tf.tensor2d(x.data, [x.rows, x.cols]), 1024);
      return out.dataSync();
    });
    return Float64Array.from(values, (v) => v * std + mean);
  }

  protected async writeModel(dir: string, model: DenseRegressionModel): Promise<string[]> {
    await saveLayersModel(model.network, dir);
    await writeJson(join(dir, TARGET_JSON), model.target);
    return [TARGET_JSON, MODEL_JSON, WEIGHTS_BIN];
  }

  protected async readModel(dir: string): Promise<DenseRegressionModel> {
    const target = checkScaling(await readJsonFile(join(dir, TARGET_JSON)), join(dir, TARGET_JSON));
    await useBackend();
    const network = await loadLayersModel(dir);
    const units = network.outputs[0]?.shape[network.outputs[0].shape.length - 1];
    if (network.outputs.length !== 1 || units !== 1) {
      network.dispose();
      throw new StrataError(
        `${dir}: damaged: a regressor's network has one output unit, but ${MODEL_JSON}'s has ${units}`,
      );
    }
    return { network, target };
  }

  protected modelInputs(model: DenseRegressionModel): number {
    return model.network.inputs[0]?.shape[1] ?? Number.NaN;
  }

  protected disposeModel(model: DenseRegressionModel): void {
    model.network.dispose();
  }
}

/** The mean and (population) standard deviation of y; a constant target keeps a std of 1. */
export function scalingOf(y: Float64Array): TargetScaling {
  let mean = 0;
  for (const v of y) mean += v / y.length;
  let variance = 0;
  for (const v of y) variance += (v - mean) ** 2 / y.length;
  const std = Math.sqrt(variance);
  return { mean, std: std > 0 && Number.isFinite(std) ? std : 1 };
}

/** target.json as read: { mean, std } with finite numbers and std > 0, or a StrataError naming the file. */
/** target.json checked: a finite mean and a standard deviation above 0 (a StrataError naming `file`). */
export function checkScaling(value: unknown, file: string): TargetScaling {
  const v = value as Partial<Record<keyof TargetScaling, unknown>> | null;
  const finite = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n);
  if (typeof v !== "object" || v === null || !finite(v.mean) || !finite(v.std) || v.std <= 0)
    throw new StrataError(
      `${file}: damaged: expected { "mean": number, "std": number above 0 }, got ${describeJson(value)}`,
    );
  return { mean: v.mean, std: v.std };
}
