import { join } from "node:path";
import type { PreprocessOptions } from "../data/preprocess.js";
import { StrataError } from "../errors.js";
import { writeJson } from "../util/atomic.js";
import { readJsonFile } from "../util/files.js";
import { minimizeLbfgs } from "../util/lbfgs.js";
import { type Matrix, matrix } from "../util/matrix.js";
import type { FitOptions, Manifest } from "./estimator.js";
import type { Label } from "./label-values.js";
import { LOGISTIC_PARAMS, type LogisticRegressionParams } from "./logistic-params.js";
import { checkSavedParams } from "./param-check.js";
import { TableClassifier, type TableFitResult, type TableTrainingSet } from "./table-classifier.js";

export { LOGISTIC_DEFAULTS, LOGISTIC_PARAMS, type LogisticRegressionParams } from "./logistic-params.js";

const LOGISTIC_JSON = "logistic.json";

/** The fitted coefficients. For two classes one row (the log-odds of classes[1]); else one per class. */
interface LogisticModel {
  /** Shape [outputs, features], row-major. */
  readonly coef: Float64Array;
  /** Shape [outputs]. */
  readonly intercept: Float64Array;
  readonly features: number;
  readonly iterations: number;
  readonly converged: boolean;
}

interface LogisticJson {
  readonly coef: number[][];
  readonly intercept: number[];
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Logistic regression with an L2 penalty, as scikit-learn's LogisticRegression(solver="lbfgs"):
 * multinomial (softmax over one score per class) for three or more classes; for two, one score
 * (the binary model scikit-learn fits then; a two-class softmax with the same penalty would be a
 * different, half-penalised model). On strata's preprocessing (standardised numbers, one-hot
 * categories). The default meta-model of a stack.
 *
 * The optimiser is L-BFGS in plain TypeScript (util/lbfgs.ts): the problem is small and convex,
 * float64 lets it converge to scikit-learn's tolerance, and TF.js's float32 tensors would add
 * rounding and tensor bookkeeping for no speed gain at this size.
 */
export class LogisticRegression<L extends Label = Label> extends TableClassifier<
  LogisticRegressionParams,
  LogisticModel,
  FitOptions,
  L
> {
  readonly kind = "logistic";

  constructor(params: Partial<LogisticRegressionParams> = {}) {
    super("LogisticRegression", LOGISTIC_PARAMS, params);
  }

  static async read(dir: string, manifest: Manifest): Promise<LogisticRegression> {
    const params = manifest.params as Partial<LogisticRegressionParams>;
    return checkSavedParams(dir, () => new LogisticRegression(params)).readState(dir, manifest);
  }

  /** The fitted coefficients: `coef[output][feature]`, `intercept[output]`; one output for two classes. */
  get coefficients(): { coef: number[][]; intercept: number[]; iterations: number; converged: boolean } {
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

  protected classWeight(): "balanced" | "none" {
    return this.params.classWeight;
  }

  protected async fitModel(data: TableTrainingSet): Promise<TableFitResult<LogisticModel>> {
    const p = this.params;
    const d = data.x.cols;
    const outputs = data.classes.length === 2 ? 1 : data.classes.length;
    const objective = logisticObjective(data, outputs, 1 / p.C, p.fitIntercept);
    const result = minimizeLbfgs(objective, new Float64Array(outputs * (d + 1)), {
      maxIter: p.maxIter,
      gtol: p.tol,
    });
    const model: LogisticModel = {
      coef: result.x.slice(0, outputs * d),
      intercept: result.x.slice(outputs * d),
      features: d,
      iterations: result.iterations,
      converged: result.converged,
    };
    return { model, epochsRun: result.iterations, bestEpoch: result.iterations };
  }

  protected predictModel(x: Matrix, model: LogisticModel, classes: number): Matrix {
    const outputs = model.intercept.length;
    const proba = matrix(x.rows, classes);
    const z = new Float64Array(outputs);
    for (let r = 0; r < x.rows; r++) {
      scores(x.data, r * x.cols, model.coef, model.intercept, model.features, z);
      const out = proba.data.subarray(r * classes, (r + 1) * classes);
      if (outputs === 1) {
        const p1 = sigmoid(z[0]);
        out[0] = 1 - p1;
        out[1] = p1;
      } else {
        softmaxInto(z, out);
      }
    }
    return proba;
  }

  protected async writeModel(dir: string, model: LogisticModel): Promise<string[]> {
    await writeJson(join(dir, LOGISTIC_JSON), toJson(model));
    return [LOGISTIC_JSON];
  }

  protected async readModel(dir: string): Promise<LogisticModel> {
    const path = join(dir, LOGISTIC_JSON);
    const json = (await readJsonFile(path, { object: true })) as LogisticJson;
    const bad = (what: string): never => {
      throw new StrataError(`${path}: damaged: ${what}`);
    };
    const finite = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v);
    if (!Array.isArray(json.coef) || json.coef.length === 0 || !json.coef.every(Array.isArray))
      bad('"coef" is not a list of rows');
    const features = json.coef[0].length;
    if (!json.coef.every((r) => r.length === features && r.every(finite)))
      bad(`"coef" rows are not all ${features} finite numbers`);
    if (
      !Array.isArray(json.intercept) ||
      json.intercept.length !== json.coef.length ||
      !json.intercept.every(finite)
    )
      bad(`"intercept" is not ${json.coef.length} finite numbers (one per row of "coef")`);
    return {
      coef: Float64Array.from(json.coef.flat()),
      intercept: Float64Array.from(json.intercept),
      features,
      iterations: json.iterations,
      converged: json.converged,
    };
  }

  protected override modelInputs(model: LogisticModel): number {
    return model.features;
  }

  protected disposeModel(): void {}
}

/**
 * scikit-learn's objective: Σ_i w_i · logloss_i + (λ/2)·||W||², over the parameters laid out as
 * [W row-major (outputs × features), intercepts (outputs)]; the intercepts are not penalised and
 * stay 0 without fitIntercept.
 */
function logisticObjective(data: TableTrainingSet, outputs: number, lambda: number, fitIntercept: boolean) {
  const { x, y, weights } = data;
  const d = x.cols;
  const z = new Float64Array(outputs);
  const dz = new Float64Array(outputs);
  return (theta: Float64Array, grad: Float64Array): number => {
    const coef = theta.subarray(0, outputs * d);
    const intercept = theta.subarray(outputs * d);
    grad.fill(0);
    let loss = 0;
    for (let r = 0; r < x.rows; r++) {
      const w = weights ? weights[r] : 1;
      const offset = r * d;
      scores(x.data, offset, coef, intercept, d, z);
      if (outputs === 1) {
        // log(1 + e^z) - y·z, computed without overflow.
        const target = y[r];
        const t = z[0];
        loss += w * ((t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))) - target * t);
        dz[0] = w * (sigmoid(t) - target);
      } else {
        let max = Number.NEGATIVE_INFINITY;
        for (const v of z) max = Math.max(max, v);
        let sum = 0;
        for (let c = 0; c < outputs; c++) sum += Math.exp(z[c] - max);
        loss += w * (max + Math.log(sum) - z[y[r]]);
        for (let c = 0; c < outputs; c++) dz[c] = w * (Math.exp(z[c] - max) / sum - (c === y[r] ? 1 : 0));
      }
      for (let c = 0; c < outputs; c++) {
        const g = dz[c];
        if (g === 0) continue;
        const row = c * d;
        for (let j = 0; j < d; j++) grad[row + j] += g * x.data[offset + j];
        grad[outputs * d + c] += g;
      }
    }
    let penalty = 0;
    for (let i = 0; i < coef.length; i++) {
      penalty += coef[i] * coef[i];
      grad[i] += lambda * coef[i];
    }
    if (!fitIntercept) for (let c = 0; c < outputs; c++) grad[outputs * d + c] = 0;
    return loss + 0.5 * lambda * penalty;
  };
}

/** z[c] = W[c] · x_row + b[c]. */
function scores(
  x: Float32Array,
  offset: number,
  coef: Float64Array,
  intercept: Float64Array,
  d: number,
  z: Float64Array,
): void {
  for (let c = 0; c < z.length; c++) {
    let sum = intercept[c];
    const row = c * d;
    for (let j = 0; j < d; j++) sum += coef[row + j] * x[offset + j];
    z[c] = sum;
  }
}

function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

function softmaxInto(z: Float64Array, out: Float32Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (const v of z) sum += Math.exp(v - max);
  for (let c = 0; c < z.length; c++) out[c] = Math.exp(z[c] - max) / sum;
}

function toJson(model: LogisticModel): LogisticJson {
  const outputs = model.intercept.length;
  return {
    coef: Array.from({ length: outputs }, (_, c) =>
      Array.from(model.coef.subarray(c * model.features, (c + 1) * model.features)),
    ),
    intercept: Array.from(model.intercept),
    iterations: model.iterations,
    converged: model.converged,
  };
}
