import { join } from "node:path";
import type { PreprocessOptions } from "../data/preprocess.js";
import { StrataError } from "../errors.js";
import { writeJson } from "../util/atomic.js";
import { choleskySolve } from "../util/cholesky.js";
import { readJsonFile } from "../util/files.js";
import type { Matrix } from "../util/matrix.js";
import type { Manifest } from "./estimator.js";
import { checkSavedParams } from "./param-check.js";
import { RIDGE_PARAMS, type RidgeRegressorParams } from "./ridge-params.js";
import { type RegressionFitResult, type RegressionTrainingSet, TableRegressor } from "./table-regressor.js";

export { RIDGE_DEFAULTS, RIDGE_PARAMS, type RidgeRegressorParams } from "./ridge-params.js";

const RIDGE_JSON = "ridge.json";

/** The fitted coefficients, one per preprocessed column, and the intercept. */
interface RidgeModel {
  readonly coef: Float64Array;
  readonly intercept: number;
}

interface RidgeJson {
  readonly coef: number[];
  readonly intercept: number;
}

/**
 * Linear least squares with an L2 penalty, as scikit-learn's Ridge: minimises
 * ||y − Xw − b||² + alpha·||w||² over strata's preprocessing (standardised numbers, one-hot
 * categories). Solved exactly in float64: with an intercept, X and y are centred (the intercept
 * is then ȳ − x̄·w, unpenalised), and (XᵀX + alpha·I) w = Xᵀy is solved by Cholesky, as
 * scikit-learn's "cholesky" solver does; its predictions agree with scikit-learn's to 1e-6.
 * Building XᵀX costs rows × columns² / 2: instant for tables of tens of columns, seconds for a
 * few hundred one-hot columns over 100k rows.
 *
 * ```ts
 * const model = await new RidgeRegressor({ alpha: 10 }).fit(rows, prices);
 * const predicted = await model.predict(newRows); // Float64Array, one per row
 * ```
 */
export class RidgeRegressor extends TableRegressor<RidgeRegressorParams, RidgeModel> {
  readonly kind = "ridge";

  constructor(params: Partial<RidgeRegressorParams> = {}) {
    super("RidgeRegressor", RIDGE_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<RidgeRegressor> {
    const params = manifest.params as Partial<RidgeRegressorParams>;
    return checkSavedParams(dir, () => new RidgeRegressor(params)).readState(dir, manifest);
  }

  /** The fitted coefficients (one per preprocessed column, named by `preprocessor.outputNames`) and intercept. */
  get coefficients(): { coef: number[]; intercept: number } {
    return toJson(this.fitted().model);
  }

  protected preprocessOptions(): PreprocessOptions {
    return { standardize: this.params.standardize, maxCategories: this.params.maxCategories };
  }

  protected validationFraction(): number {
    return 0;
  }

  protected splitSeed(): number {
    return 0;
  }

  protected async fitModel(data: RegressionTrainingSet): Promise<RegressionFitResult<RidgeModel>> {
    const { x, y } = data;
    const n = x.rows;
    const d = x.cols;
    const xMean = new Float64Array(d);
    let yMean = 0;
    if (this.params.fitIntercept) {
      for (let r = 0; r < n; r++) {
        for (let j = 0; j < d; j++) xMean[j] += x.data[r * d + j];
        yMean += y[r];
      }
      for (let j = 0; j < d; j++) xMean[j] /= n;
      yMean /= n;
    }
    // The lower triangle of XcᵀXc and Xcᵀyc, centred rows in float64.
    const gram = new Float64Array(d * d);
    const xty = new Float64Array(d);
    const centred = new Float64Array(d);
    for (let r = 0; r < n; r++) {
      for (let j = 0; j < d; j++) centred[j] = x.data[r * d + j] - xMean[j];
      const target = y[r] - yMean;
      for (let i = 0; i < d; i++) {
        const v = centred[i];
        if (v === 0) continue;
        xty[i] += v * target;
        const at = i * d;
        for (let j = 0; j <= i; j++) gram[at + j] += v * centred[j];
      }
    }
    for (let i = 0; i < d; i++) {
      gram[i * d + i] += this.params.alpha;
      for (let j = 0; j < i; j++) gram[j * d + i] = gram[i * d + j];
    }
    const coef = d === 0 ? new Float64Array(0) : choleskySolve(gram, xty, d);
    if (!coef)
      throw new StrataError(
        `RidgeRegressor: alpha ${this.params.alpha} leaves the preprocessed columns without a single solution (some are linearly dependent, as one-hot categories are with an intercept); use an alpha > 0`,
      );
    let intercept = yMean;
    for (let j = 0; j < d; j++) intercept -= xMean[j] * coef[j];
    return { model: { coef, intercept }, epochsRun: 1, bestEpoch: 1 };
  }

  protected predictModel(x: Matrix, model: RidgeModel): Float64Array {
    const d = x.cols;
    const out = new Float64Array(x.rows);
    for (let r = 0; r < x.rows; r++) {
      let sum = model.intercept;
      for (let j = 0; j < d; j++) sum += model.coef[j] * x.data[r * d + j];
      out[r] = sum;
    }
    return out;
  }

  protected async writeModel(dir: string, model: RidgeModel): Promise<string[]> {
    await writeJson(join(dir, RIDGE_JSON), toJson(model));
    return [RIDGE_JSON];
  }

  protected async readModel(dir: string): Promise<RidgeModel> {
    const path = join(dir, RIDGE_JSON);
    const json = (await readJsonFile(path, { object: true })) as RidgeJson;
    const finite = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);
    if (!Array.isArray(json.coef) || !json.coef.every(finite))
      throw new StrataError(`${path}: damaged: "coef" is not a list of finite numbers`);
    if (!finite(json.intercept))
      throw new StrataError(`${path}: damaged: "intercept" is not a finite number`);
    return { coef: Float64Array.from(json.coef), intercept: json.intercept };
  }

  protected modelInputs(model: RidgeModel): number {
    return model.coef.length;
  }

  protected disposeModel(): void {}
}

function toJson(model: RidgeModel): RidgeJson {
  return { coef: Array.from(model.coef), intercept: model.intercept };
}
