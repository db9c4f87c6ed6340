import {
  type Booster,
  type Contributions,
  DMatrix,
  xgboostAvailable,
  xgboostLoadError,
} from "strata-ml-xgboost";
import { namingPlainRows, type TableData, tableFrame } from "../data/plain.js";
import type { PreprocessOptions } from "../data/preprocess.js";
import { StrataError } from "../errors.js";
import type { Matrix } from "../util/matrix.js";
import type { EpochRecord, FitOptions, Manifest } from "./estimator.js";
import type { Label } from "./label-values.js";
import { probaFromOutputs } from "./labels.js";
import { checkSavedParams } from "./param-check.js";
import { TableClassifier, type TableFitResult, type TableTrainingSet } from "./table-classifier.js";
import {
  checkThreads,
  type FittedBooster,
  predictBooster,
  readBoosterFile,
  trainBooster,
  writeBoosterFile,
} from "./xgboost-booster.js";
import { XGBOOST_PARAMS, type XGBoostClassifierParams } from "./xgboost-params.js";

export { XGBOOST_DEFAULTS, XGBOOST_PARAMS, type XGBoostClassifierParams } from "./xgboost-params.js";

/** fit's options for XGBoost: those of every classifier, plus the machine's thread count. */
export interface XGBoostFitOptions extends FitOptions {
  /** XGBoost's threads (nthread); default 0: all of OpenMP's threads (OMP_NUM_THREADS honoured). Never saved. */
  readonly threads?: number;
}

// XGBoost's OpenMP threads spin while they wait for work by default; on a machine whose cores are
// busy with other work that made a 2-thread fit 30x slower than a 1-thread one (measured: 453 s vs
// 14 s on Spotify). libgomp reads this when libxgboost loads, at the first XGBoost call.
process.env.OMP_WAIT_POLICY ??= "PASSIVE";

export { XGBOOST_MODEL_JSON } from "./xgboost-booster.js";

/**
 * Gradient-boosted trees from XGBoost (through xgboost-native: every tree is XGBoost's) on a
 * table, with strata's preprocessing: imputation and one-hot encoding fitted on the fit rows.
 * Numbers are not standardised: a tree's splits depend only on the order of a column's values
 * (XGBoost's histogram bins are quantiles), so scaling would change nothing but the thresholds,
 * which stay in the data's own units this way. `binary:logistic` for two classes, else
 * `multi:softprob`; early stopping on the validation split's log loss (grouped when `groups`
 * are given), and the best round's trees predict.
 *
 * ```ts
 * const model = await new XGBoostClassifier({ maxDepth: 4 }).fit(train.frame, train.y, { threads: 2 });
 * const proba = await model.predictProba(test.frame); // [rows, classes]
 * ```
 */
export class XGBoostClassifier<L extends Label = Label> extends TableClassifier<
  XGBoostClassifierParams,
  FittedBooster,
  XGBoostFitOptions,
  L
> {
  readonly kind = "xgboost";

  constructor(params: Partial<XGBoostClassifierParams> = {}) {
    super("XGBoostClassifier", XGBOOST_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<XGBoostClassifier> {
    requireXGBoost();
    const params = manifest.params as Partial<XGBoostClassifierParams>;
    return checkSavedParams(dir, () => new XGBoostClassifier(params)).readState(dir, manifest);
  }

  override async fit(rows: TableData, labels: readonly L[], options?: XGBoostFitOptions): Promise<this> {
    // First, before the data is looked at: without the library nothing else matters.
    requireXGBoost();
    return super.fit(rows, labels, options);
  }

  /** The fitted booster (XGBoost's model, every round kept; `rounds` of them predict). */
  get booster(): { booster: Booster; rounds: number } {
    return this.fitted().model;
  }

  /**
   * XGBoost's TreeSHAP contributions to each row's margin, from the trees that predict: values
   * [rows, groups, inputs + 1] over the booster's input columns (the preprocessed ones, named by
   * `preprocessor.outputNames`), the last of each group the bias. One group for two classes
   * (the log-odds of classes[1]), else one per class; each group sums to its margin.
   */
  async predictContributions(rows: TableData): Promise<Contributions> {
    const { preprocessor, model } = this.fitted();
    const columns = this.inputColumns;
    return namingPlainRows(rows, async () => {
      const x = preprocessor.transform(tableFrame(rows, columns)).x;
      const d = new DMatrix(x.data, x.rows, x.cols);
      try {
        return model.booster.predictContributions(d, { iterationRange: [0, model.rounds] });
      } finally {
        d.dispose();
      }
    });
  }

  protected preprocessOptions(): PreprocessOptions {
    return { standardize: false, maxCategories: this.params.maxCategories };
  }

  protected validationFraction(): number {
    return this.params.validationFraction;
  }

  protected splitSeed(): number {
    return this.params.seed;
  }

  protected classWeight(): "balanced" | "none" {
    return this.params.classWeight;
  }

  protected async fitModel(
    data: TableTrainingSet,
    options: XGBoostFitOptions,
  ): Promise<TableFitResult<FittedBooster>> {
    const threads = checkThreads("XGBoostClassifier", options.threads);
    const k = data.classes.length;
    const binary = k === 2;
    const fit = trainBooster(
      this.params,
      {
        objective: binary ? "binary:logistic" : "multi:softprob",
        ...(binary ? {} : { num_class: k }),
        // The loss last: early stopping watches the last metric.
        eval_metric: binary ? ["error", "logloss"] : ["merror", "mlogloss"],
      },
      { x: data.x, y: data.y, weights: data.weights },
      data.validation,
      threads,
    );
    return { ...fit, history: history(fit.metrics) };
  }

  protected predictModel(x: Matrix, model: FittedBooster, classes: number): Matrix {
    return probaFromOutputs(predictBooster(model, x).values, classes);
  }

  protected writeModel(dir: string, model: FittedBooster): Promise<string[]> {
    return writeBoosterFile(dir, model);
  }

  protected readModel(dir: string): Promise<FittedBooster> {
    return readBoosterFile(dir);
  }

  protected override modelInputs(model: FittedBooster): number {
    return model.booster.numFeatures();
  }

  protected disposeModel(model: FittedBooster): void {
    model.booster.dispose();
  }
}

/** Throws a StrataError saying why XGBoost cannot be used here, and how to fix that. */
export function requireXGBoost(): void {
  if (!xgboostAvailable())
    throw new StrataError(`XGBoostClassifier needs libxgboost: ${xgboostLoadError() ?? "it did not load"}`);
}

/** XGBoost's per-round metrics as strata's epoch records (accuracy is 1 - error). */
function history(metrics: Record<string, number[]>): EpochRecord[] {
  const find = (prefix: string, suffixes: string[]) =>
    suffixes.map((s) => metrics[`${prefix}-${s}`]).find((v) => v !== undefined);
  const loss = find("train", ["logloss", "mlogloss"]) ?? [];
  const error = find("train", ["error", "merror"]) ?? [];
  const valLoss = find("valid", ["logloss", "mlogloss"]);
  const valError = find("valid", ["error", "merror"]);
  return loss.map((l, i) => ({
    loss: l,
    accuracy: 1 - error[i],
    ...(valLoss ? { valLoss: valLoss[i], valAccuracy: valError ? 1 - valError[i] : undefined } : {}),
  }));
}
