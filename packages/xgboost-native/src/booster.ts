// Booster: an XGBoost model, trained round by round, evaluated, used for prediction, saved.
import { type DMatrix, nativeDMatrix } from "./dmatrix.js";
import { parseEvalLine } from "./eval-line.js";
import { addon, type NativeBooster } from "./native.js";

/** A parameter value; numbers and booleans are passed to XGBoost as strings ("0.3", "true"). */
export type ParamValue = string | number | boolean;
/**
 * XGBoost parameters, e.g. { objective: "binary:logistic", max_depth: 4, eta: 0.3, nthread: 2,
 * seed: 0 }. An array sets the parameter once per value, in order, which is how XGBoost takes
 * several metrics: { eval_metric: ["auc", "logloss"] }.
 */
export type Params = Record<string, ParamValue | readonly ParamValue[]>;

export interface PredictOptions {
  /** Untransformed margins (log-odds for binary:logistic) instead of probabilities; default false. */
  outputMargin?: boolean;
  /**
   * Use only the trees of rounds [begin, end); default [0, 0], all rounds. After early
   * stopping, [0, bestIteration + 1] predicts with the best model.
   */
  iterationRange?: [number, number];
}

/**
 * A prediction: `values` in row-major order, `shape` [rows] for one output per row
 * (binary:logistic, reg:*, multi:softmax) or [rows, classes] for multi:softprob.
 */
export interface Prediction {
  values: Float32Array;
  shape: number[];
}

/**
 * Per-feature contributions to each row's margin (XGBoost's exact TreeSHAP, `pred_contribs` in
 * Python). `values` row-major with `shape` [rows, groups, features + 1]: `groups` is 1 for
 * binary:logistic and regression, the class count for multi:softprob; the last value of each
 * group is the bias (the margin's expected value, base_score included). Each row's group sums to
 * that group's output margin (log-odds for binary:logistic), within float32 rounding.
 */
export interface Contributions {
  values: Float32Array;
  shape: [rows: number, groups: number, features: number];
}

/** Set on every Booster XGBoost's Python package creates too: unknown parameter names are warned about. */
const DEFAULT_PARAMS: Params = { validate_parameters: true };

function paramString(name: string, value: ParamValue): string {
  if (typeof name !== "string") throw new TypeError("parameter names must be strings");
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  throw new TypeError(`parameter ${name}: expected a string, number or boolean, got ${typeof value}`);
}

/**
 * An XGBoost booster. Parameters are checked by XGBoost when it next configures itself: at the
 * first updateOneIter, evalSet, predict or save after a change. A parameter that XGBoost rejects
 * there (e.g. max_depth: -1) throws XGBoost's message, and the booster cannot be used any more
 * (XGBoost 1.7 leaves it half-configured); create a new one.
 * The native booster is freed by dispose(), or when the object is garbage-collected.
 */
export class Booster {
  readonly #native: NativeBooster;

  /**
   * @param params XGBoost parameters (see Params)
   * @param cache the matrices XGBoost keeps predictions for: the training set and evaluation sets
   */
  constructor(params: Params = {}, cache: DMatrix[] = []) {
    if (!Array.isArray(cache)) throw new TypeError("Booster cache must be an array of DMatrix");
    this.#native = new (addon().Booster)(cache.map(nativeDMatrix));
    this.setParams({ ...DEFAULT_PARAMS, ...params });
  }

  /** A booster holding a model saved by saveModelJson() (or any format XGBoost 1.7 loads). */
  static loadModel(bytes: Uint8Array): Booster {
    const booster = new Booster();
    try {
      booster.#native.loadModel(bytes);
    } catch (e) {
      booster.dispose();
      throw e;
    }
    return booster;
  }

  /** Sets one parameter; an array sets it once per value (see Params). */
  setParam(name: string, value: ParamValue | readonly ParamValue[]): void {
    for (const v of Array.isArray(value) ? value : [value]) this.#native.setParam(name, paramString(name, v));
  }

  setParams(params: Params): void {
    for (const [name, value] of Object.entries(params)) this.setParam(name, value);
  }

  /** One boosting round on `dtrain` (which should be in the cache); `iteration` counts from 0. */
  updateOneIter(iteration: number, dtrain: DMatrix): void {
    this.#native.updateOneIter(iteration, nativeDMatrix(dtrain));
  }

  /**
   * Evaluates the model's eval_metric(s) on each [matrix, name] pair, e.g.
   * { "train-mlogloss": 0.41, "valid-mlogloss": 0.93 } (key order: sets, then metrics, as given).
   * Names must not contain whitespace or ':' (XGBoost's line would not parse).
   */
  evalSet(iteration: number, sets: [DMatrix, string][]): Record<string, number> {
    return Object.fromEntries(this.evalSetEntries(iteration, sets));
  }

  /** evalSet's metrics as ordered [key, value] pairs. */
  evalSetEntries(iteration: number, sets: [DMatrix, string][]): [string, number][] {
    if (!Array.isArray(sets)) throw new TypeError("evalSet: sets must be an array of [DMatrix, name]");
    for (const set of sets) {
      if (!Array.isArray(set) || set.length !== 2)
        throw new TypeError("evalSet: each set must be [DMatrix, name]");
      if (typeof set[1] !== "string" || !/^[^\s:]+$/.test(set[1]))
        throw new TypeError(
          `evalSet: name ${JSON.stringify(set[1])} must be non-empty, without whitespace or ':'`,
        );
    }
    const line = this.#native.evalOneIter(
      iteration,
      sets.map(([d]) => nativeDMatrix(d)),
      sets.map(([, name]) => name),
    );
    return parseEvalLine(line);
  }

  /**
   * Predictions for every row of `dmatrix`; see Prediction for the shape. The matrix must have
   * as many columns as the model has features (RangeError otherwise: XGBoost 1.7 itself accepts
   * fewer and silently treats the absent ones as missing).
   */
  predict(dmatrix: DMatrix, options: PredictOptions = {}): Prediction {
    const [begin, end] = options.iterationRange ?? [0, 0];
    return this.#native.predict(nativeDMatrix(dmatrix), options.outputMargin ?? false, begin, end);
  }

  /**
   * TreeSHAP contributions of every feature to each row's margin; see Contributions. Only the
   * trees of `iterationRange` count (default [0, 0], all rounds), as in predict. The matrix must
   * have as many columns as the model has features (RangeError otherwise).
   */
  predictContributions(
    dmatrix: DMatrix,
    options: Pick<PredictOptions, "iterationRange"> = {},
  ): Contributions {
    const [begin, end] = options.iterationRange ?? [0, 0];
    const { values, shape } = this.#native.predictContributions(nativeDMatrix(dmatrix), begin, end);
    if (shape.length !== 3)
      throw new Error(
        `predictContributions: XGBoost returned shape [${shape.join(", ")}], expected 3 dimensions`,
      );
    return { values, shape: [shape[0], shape[1], shape[2]] };
  }

  /** Boosting rounds in the model (for multi-class, one round holds one tree per class). */
  numBoostedRounds(): number {
    return this.#native.boostedRounds();
  }

  /** Number of features the model was trained on. */
  numFeatures(): number {
    return this.#native.numFeatures();
  }

  /** The model (trees, objective, attributes such as best_iteration) as XGBoost's JSON, UTF-8. */
  saveModelJson(): Uint8Array {
    return this.#native.saveModel("json");
  }

  /** The full configuration XGBoost resolved (every parameter, defaults included), as JSON text. */
  saveConfig(): string {
    return this.#native.saveConfig();
  }

  /** Sets a string attribute saved with the model; undefined deletes it. */
  setAttr(key: string, value: string | undefined): void {
    this.#native.setAttr(key, value ?? null);
  }

  getAttr(key: string): string | undefined {
    return this.#native.getAttr(key);
  }

  attrNames(): string[] {
    return this.#native.attrNames();
  }

  /** Whether dispose() has been called. */
  get disposed(): boolean {
    return this.#native.disposed();
  }

  /** Frees the native booster now; later calls on it throw. Calling it again does nothing. */
  dispose(): void {
    this.#native.dispose();
  }
}
