import { StrataError } from "../errors.js";
import { type Matrix, matrix } from "../util/matrix.js";
import type { Frame } from "./frame.js";
import { RowError } from "./row-error.js";

/** The largest finite float32: the model reads its input as float32, where anything beyond is Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** What was learned for one numeric column: missing → median, then (x - mean) / std. */
export interface NumericState {
  readonly name: string;
  readonly median: number;
  readonly mean: number;
  readonly std: number;
}

/** What was learned for one categorical column: missing → most frequent, then one-hot over `categories`. */
export interface CategoricalState {
  readonly name: string;
  readonly categories: readonly string[];
  readonly mostFrequent: string;
}

/** The fitted state of a TabularPreprocessor, as saved in a model directory (preprocess.json). */
export interface PreprocessState {
  readonly imputation: { readonly numeric: "median"; readonly categorical: "most_frequent" };
  readonly standardize: boolean;
  readonly numeric: readonly NumericState[];
  readonly categorical: readonly CategoricalState[];
}

export interface PreprocessOptions {
  /** Scale numeric columns to zero mean and unit variance (default true). */
  readonly standardize?: boolean;
  /** Keep at most this many most frequent categories per column; rarer ones are treated as unseen (default 200). */
  readonly maxCategories?: number;
}

/** The result of `transform`: the model's input and how many cells fell on the unseen-category path. */
export interface Transformed {
  /** Shape [rows, outputDim]. */
  readonly x: Matrix;
  /** Per categorical column, the count of values not seen in training (encoded as all zeros). */
  readonly unseen: ReadonlyMap<string, number>;
}

/**
 * Turns a Frame into the float matrix a network reads: numeric columns imputed with the
 * training median and standardised; categorical ones imputed with the most frequent training
 * value and one-hot encoded, where a category never seen in training encodes as all zeros
 * (scikit-learn's handle_unknown="ignore"). Fitted on training rows only, saved with the
 * model, applied unchanged at predict time.
 */
export class TabularPreprocessor {
  private state?: PreprocessState;

  constructor(readonly options: PreprocessOptions = {}) {}

  static fromState(state: PreprocessState): TabularPreprocessor {
    const p = new TabularPreprocessor({ standardize: state.standardize });
    p.state = state;
    return p;
  }

  get fitted(): PreprocessState {
    if (!this.state) throw new Error("TabularPreprocessor: call fit() before using it");
    return this.state;
  }

  /** Number of columns `transform` produces. */
  get outputDim(): number {
    const s = this.fitted;
    return s.numeric.length + s.categorical.reduce((n, c) => n + c.categories.length, 0);
  }

  /** A name for each output column: the numeric column's name, or `column=category`. */
  get outputNames(): string[] {
    const s = this.fitted;
    return [
      ...s.numeric.map((c) => c.name),
      ...s.categorical.flatMap((c) => c.categories.map((v) => `${c.name}=${v}`)),
    ];
  }

  fit(frame: Frame): this {
    const standardize = this.options.standardize ?? true;
    const maxCategories = this.options.maxCategories ?? 200;
    const numeric: NumericState[] = [];
    const categorical: CategoricalState[] = [];
    for (const [name, column] of frame.columns) {
      if (column.kind === "numeric") numeric.push(fitNumeric(name, column.values, standardize));
      else categorical.push(fitCategorical(name, column.values, maxCategories));
    }
    this.state = {
      imputation: { numeric: "median", categorical: "most_frequent" },
      standardize,
      numeric,
      categorical,
    };
    return this;
  }

  transform(frame: Frame): Transformed {
    const s = this.fitted;
    const dim = this.outputDim;
    const x = matrix(frame.nRows, dim);
    const unseen = new Map<string, number>();
    s.numeric.forEach((c, j) => {
      const column = frame.column(c.name);
      if (column.kind !== "numeric")
        throw new StrataError(`column "${c.name}": expected numbers, as in training`);
      for (let i = 0; i < frame.nRows; i++) {
        if (column.values[i] === Number.POSITIVE_INFINITY || column.values[i] === Number.NEGATIVE_INFINITY)
          throw nonFinite(c.name, i, column.values[i]);
        const v = Number.isNaN(column.values[i]) ? c.median : column.values[i];
        const scaled = (v - c.mean) / c.std;
        // A finite double (1e300) can overflow float32 once scaled: Infinity in, NaN probabilities out.
        if (!(Math.abs(scaled) <= FLOAT32_MAX)) throw outOfRange(c, i, v, scaled);
        x.data[i * dim + j] = scaled;
      }
    });
    let offset = s.numeric.length;
    for (const c of s.categorical) {
      const column = frame.column(c.name);
      const index = new Map(c.categories.map((v, k) => [v, k]));
      let misses = 0;
      for (let i = 0; i < frame.nRows; i++) {
        const raw = column.kind === "numeric" ? numericAsCategory(column.values[i]) : column.values[i];
        const k = index.get(raw ?? c.mostFrequent);
        if (k === undefined) misses++;
        else x.data[i * dim + offset + k] = 1;
      }
      if (misses > 0) unseen.set(c.name, misses);
      offset += c.categories.length;
    }
    return { x, unseen };
  }
}

function numericAsCategory(v: number): string | null {
  return Number.isNaN(v) ? null : String(v);
}

/** A RowError for an infinite value in a numeric column (NaN is a missing value, ±Infinity never is). */
function nonFinite(name: string, row: number, value: number): RowError {
  return new RowError(
    row,
    `${value} is not a finite number; give a number, or NaN (null) for a missing value`,
    name,
  );
}

/** A RowError for a value whose scaled form a float32 cannot hold. */
function outOfRange(c: NumericState, row: number, value: number, scaled: number): RowError {
  const g = (v: number) => String(Number(v.toPrecision(4)));
  const scaling =
    c.mean === 0 && c.std === 1
      ? ""
      : ` (scaled by the training rows' mean ${g(c.mean)} and spread ${g(c.std)}: ${g(scaled)})`;
  return new RowError(
    row,
    `${value} is too large for the model${scaling}, beyond the ±3.4e38 of the 32-bit floats it computes in; give a value on the training rows' scale`,
    c.name,
  );
}

function fitNumeric(name: string, values: Float64Array, standardize: boolean): NumericState {
  const infinite = values.findIndex((v) => v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY);
  if (infinite !== -1) throw nonFinite(name, infinite, values[infinite]);
  const present = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
  if (present.length === 0) throw new StrataError(`column "${name}": no values in the training rows`);
  const mid = present.length >> 1;
  const median = present.length % 2 ? present[mid] : (present[mid - 1] + present[mid]) / 2;
  if (!standardize) return { name, median, mean: 0, std: 1 };
  let sum = 0;
  for (const v of values) sum += Number.isNaN(v) ? median : v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += ((Number.isNaN(v) ? median : v) - mean) ** 2;
  const std = Math.sqrt(squares / values.length);
  if (!(Number.isFinite(mean) && Number.isFinite(std)))
    throw new StrataError(
      `column "${name}": its values are too large to standardise (the mean or spread overflows a double); rescale the column`,
    );
  return { name, median, mean, std: std > 1e-12 ? std : 1 };
}

function fitCategorical(
  name: string,
  values: readonly (string | null)[],
  maxCategories: number,
): CategoricalState {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  if (counts.size === 0) throw new StrataError(`column "${name}": no values in the training rows`);
  // Most frequent first; ties in first-seen order, so the encoding is deterministic.
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([v]) => v);
  const categories = ranked.slice(0, maxCategories).sort();
  return { name, categories, mostFrequent: ranked[0] };
}

/**
 * Checks a PreprocessState read from a file (a model directory's preprocess.json): every field
 * of the expected type, every number finite, every scale positive. A StrataError names `file`
 * and the first bad field.
 */
export function validatePreprocessState(value: unknown, file: string): PreprocessState {
  const bad = (what: string): never => {
    throw new StrataError(`${file}: damaged: ${what}`);
  };
  if (!isObject(value)) bad("not a JSON object");
  const s = value as Record<string, unknown>;
  if (typeof s.standardize !== "boolean") bad('"standardize" is not true or false');
  if (!Array.isArray(s.numeric)) bad('"numeric" is not a list');
  if (!Array.isArray(s.categorical)) bad('"categorical" is not a list');
  const names = new Set<string>();
  const checkName = (name: unknown, at: string): void => {
    if (typeof name !== "string" || name === "") bad(`${at}.name is not a column name`);
    if (names.has(name as string)) bad(`column "${name}" appears twice`);
    names.add(name as string);
  };
  (s.numeric as unknown[]).forEach((c, i) => {
    const at = `numeric[${i}]`;
    if (!isObject(c)) bad(`${at} is not an object`);
    const n = c as Record<string, unknown>;
    checkName(n.name, at);
    for (const field of ["median", "mean", "std"]) {
      if (typeof n[field] !== "number" || !Number.isFinite(n[field]))
        bad(
          `${at} (column "${n.name}"): ${field} is ${JSON.stringify(n[field]) ?? "missing"}, not a finite number`,
        );
    }
    if (!((n.std as number) > 0)) bad(`${at} (column "${n.name}"): std is ${n.std}, not > 0`);
  });
  (s.categorical as unknown[]).forEach((c, i) => {
    const at = `categorical[${i}]`;
    if (!isObject(c)) bad(`${at} is not an object`);
    const n = c as Record<string, unknown>;
    checkName(n.name, at);
    if (
      !Array.isArray(n.categories) ||
      n.categories.length === 0 ||
      !n.categories.every((v) => typeof v === "string")
    )
      bad(`${at} (column "${n.name}"): categories is not a non-empty list of strings`);
    if (typeof n.mostFrequent !== "string") bad(`${at} (column "${n.name}"): mostFrequent is not a string`);
  });
  if (names.size === 0) bad("no columns");
  return {
    imputation: { numeric: "median", categorical: "most_frequent" },
    ...(s as object),
  } as PreprocessState;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
