import { type Booster, xgboostAvailable, xgboostLoadError } from "strata-ml-xgboost";
import type { TableData } from "../data/plain.js";
import type { PreprocessOptions } from "../data/preprocess.js";
import { StrataError } from "../errors.js";
import type { Matrix } from "../util/matrix.js";
import type { EpochRecord, Manifest } from "./estimator.js";
import { checkSavedParams } from "./param-check.js";
import type { RegressorFitOptions } from "./regressor.js";
import { type RegressionFitResult, type RegressionTrainingSet, TableRegressor } from "./table-regressor.js";
import {
  checkThreads,
  type FittedBooster,
  predictBooster,
  readBoosterFile,
  trainBooster,
  writeBoosterFile,
} from "./xgboost-booster.js";
import { XGBOOST_REGRESSOR_PARAMS, type XGBoostRegressorParams } from "./xgboost-regressor-params.js";

export {
  XGBOOST_REGRESSOR_DEFAULTS,
  XGBOOST_REGRESSOR_PARAMS,
  type XGBoostRegressorParams,
} from "./xgboost-regressor-params.js";

/** fit's options for XGBoost: those of every regressor, plus the machine's thread count. */
export interface XGBoostRegressorFitOptions extends RegressorFitOptions {
  /** XGBoost's threads (nthread); default 0: all of OpenMP's threads (OMP_NUM_THREADS honoured). Never saved. */
  readonly threads?: number;
}

/**
 * Gradient-boosted trees from XGBoost (`reg:squarederror`, through xgboost-native) on a table,
 * with the preprocessing of XGBoostClassifier: imputation and one-hot encoding fitted on the fit
 * rows, numbers not standardised. The trees start from the fit rows' mean target (base_score;
 * XGBoost 1.7 would start from 0.5, which a target such as a price is far from), and stop early
 * on the validation split's RMSE (grouped when `groups` are given); the best round's trees
 * predict. The params are XGBoostClassifier's, less classWeight.
 *
 * ```ts
 * const model = await new XGBoostRegressor({ maxDepth: 4 }).fit(rows, prices, { threads: 2 });
 * const predicted = await model.predict(newRows); // Float64Array, one per row
 * ```
 */
export class XGBoostRegressor extends TableRegressor<
  XGBoostRegressorParams,
  FittedBooster,
  XGBoostRegressorFitOptions
> {
  readonly kind = "xgboost-regressor";

  constructor(params: Partial<XGBoostRegressorParams> = {}) {
    super("XGBoostRegressor", XGBOOST_REGRESSOR_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<XGBoostRegressor> {
    requireXGBoost();
    const params = manifest.params as Partial<XGBoostRegressorParams>;
    return checkSavedParams(dir, () => new XGBoostRegressor(params)).readState(dir, manifest);
  }

  override async fit(
    rows: TableData,
    y: readonly number[],
    options?: XGBoostRegressorFitOptions,
  ): Promise<this> {
    // First, before the data is looked at: without the library nothing else matters.
    requireXGBoost();
    return super.fit(rows, y, options);
  }

  /** The fitted booster (XGBoost's model, every round kept; `rounds` of them predict). */
  get booster(): { booster: Booster; rounds: number } {
    return this.fitted().model;
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

  protected async fitModel(
    data: RegressionTrainingSet,
    options: XGBoostRegressorFitOptions,
  ): Promise<RegressionFitResult<FittedBooster>> {
    const threads = checkThreads("XGBoostRegressor", options.threads);
    let mean = 0;
    for (const v of data.y) mean += v;
    mean /= data.y.length;
    const fit = trainBooster(
      this.params,
      { objective: "reg:squarederror", eval_metric: "rmse", base_score: mean },
      data,
      data.validation,
      threads,
    );
    return { ...fit, history: history(fit.metrics) };
  }

  protected predictModel(x: Matrix, model: FittedBooster): Float64Array {
    const { values, shape } = predictBooster(model, x);
    if (shape.length !== 1 || shape[0] !== x.rows)
      throw new StrataError(
        `XGBoostRegressor: the booster predicts shape [${shape.join(", ")}], not one value for each of ${x.rows} rows`,
      );
    return Float64Array.from(values);
  }

  protected writeModel(dir: string, model: FittedBooster): Promise<string[]> {
    return writeBoosterFile(dir, model);
  }

  protected readModel(dir: string): Promise<FittedBooster> {
    return readBoosterFile(dir);
  }

  protected modelInputs(model: FittedBooster): number {
    return model.booster.numFeatures();
  }

  protected disposeModel(model: FittedBooster): void {
    model.booster.dispose();
  }
}

/** Throws a StrataError saying why XGBoost cannot be used here, and how to fix that. */
function requireXGBoost(): void {
  if (!xgboostAvailable())
    throw new StrataError(`XGBoostRegressor needs libxgboost: ${xgboostLoadError() ?? "it did not load"}`);
}

/**
 * XGBoost's per-round RMSE as strata's epoch records: the loss is the mean squared error (the
 * objective's own), and accuracy, which a regressor has none of, is NaN (null in JSON), as a
 * network regressor's history says it.
 */
function history(metrics: Record<string, number[]>): EpochRecord[] {
  const train = metrics["train-rmse"] ?? [];
  const valid = metrics["valid-rmse"];
  return train.map((rmse, i) => ({
    loss: rmse ** 2,
    accuracy: Number.NaN,
    ...(valid ? { valLoss: valid[i] ** 2, valAccuracy: Number.NaN } : {}),
  }));
}
