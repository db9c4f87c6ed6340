import { apiName, StrataError, where } from "../errors.js";
import { type CsvEncoding, columnIndex, oneColumnHint, type RawTable, type ReadCsvOptions } from "./csv.js";
import { describeDelimiter } from "./delimiter.js";
import { isMissing, looksLikeDate, parseDecimalYear, parseNumber } from "./values.js";

/** How one feature column is read from text and fed to a model. */
export interface FeatureSpec {
  readonly name: string;
  readonly kind: "numeric" | "categorical";
  /** For numeric features: "date" cells (YYYY-MM-DD) become decimal years. */
  readonly parse?: "number" | "date";
  /**
   * For numeric features: "missing" reads a number too large for a double (e.g. 1e999, which
   * parses as Infinity) as a missing value, imputed like any other; absent, such a cell is an
   * error naming its line and column.
   */
  readonly nonFinite?: "missing";
}

export interface DroppedColumn {
  readonly name: string;
  readonly reason: string;
}

/** The result of schema inference: which columns are features, of which kind, and which were dropped and why. */
export interface TabularSchema {
  readonly target: string;
  readonly group?: string;
  readonly features: readonly FeatureSpec[];
  readonly dropped: readonly DroppedColumn[];
  /**
   * The field delimiter and the encoding of the file the schema was inferred from: files read
   * for the model (evaluate, predict, serve) are read the same way. Absent in models saved before
   * they were recorded: such files are sniffed and read as UTF-8.
   */
  readonly delimiter?: string;
  readonly encoding?: CsvEncoding;
}

/** How to read a CSV file for a model of this schema: its training file's delimiter and encoding. */
export function csvReadOptions(
  schema: TabularSchema,
): Pick<ReadCsvOptions, "delimiter" | "encoding" | "encodingSource"> {
  return {
    ...(schema.delimiter === undefined ? {} : { delimiter: schema.delimiter }),
    ...(schema.encoding === undefined ? {} : { encoding: schema.encoding }),
    encodingSource: "model",
  };
}

export interface InferSchemaOptions {
  target: string;
  /** Rows sharing a value of this column stay on one side of every split; it is never a feature. */
  group?: string;
  /** Use exactly these columns as features (their kind is still inferred). */
  features?: readonly string[];
  /** Never use these columns. */
  drop?: readonly string[];
  /** Treat these columns as categories even if their values are numbers (e.g. a key 0..11). */
  categorical?: readonly string[];
  /**
   * What a number too large for a double (1e999, read as Infinity) is: "error" (default) refuses
   * the file, naming the line and column; "missing" treats it as a missing value, here and
   * wherever the schema is used (evaluate, predict, serve).
   */
  nonFinite?: NonFinitePolicy;
}

export type NonFinitePolicy = "error" | "missing";

/** A column of more distinct strings than this (and than 5% of the rows) is not treated as categorical. */
const MAX_CATEGORIES = 1000;
const ALWAYS_CATEGORICAL = 50;

/**
 * Infers, for every column but the target and group, whether it is numeric, categorical, or
 * to be dropped (identifier-like, free text, constant, or leaking the target). Kinds are decided
 * from the whole file, like a dataframe's dtypes; no statistic is learned here, so nothing leaks
 * from a test split. Values (medians, categories, scales) are learned later, on training rows only.
 */
export function inferSchema(table: RawTable, opts: InferSchemaOptions): TabularSchema {
  const targetIndex = columnIndex(table, opts.target, "target");
  if (opts.group !== undefined) columnIndex(table, opts.group, { param: "group" });
  if (opts.group === opts.target)
    throw new StrataError(
      `${table.file}: ${apiName("group")} "${opts.group}" is the target column; group by another column (rows sharing its value stay on one side of every split)`,
      { params: ["group"] },
    );
  if (opts.features?.includes(opts.target))
    throw new StrataError(
      `${table.file}: ${apiName("features")} lists "${opts.target}", the target column; a model cannot take as input the column it predicts`,
      { params: ["features"] },
    );
  for (const name of [...(opts.features ?? []), ...(opts.drop ?? []), ...(opts.categorical ?? [])]) {
    columnIndex(table, name, "option's");
  }
  const explicit = opts.features !== undefined;
  const candidates = explicit
    ? opts.features!
    : table.columns.filter((c) => c !== opts.target && c !== opts.group && !(opts.drop ?? []).includes(c));
  const target = table.rows.map((r) => r[targetIndex]);

  const features: FeatureSpec[] = [];
  const dropped: DroppedColumn[] = [];
  for (const name of candidates) {
    const verdict = inferColumn(table, name, (opts.categorical ?? []).includes(name), explicit);
    if ("reason" in verdict) {
      dropped.push(verdict);
      continue;
    }
    const leak =
      verdict.kind === "categorical" && !explicit ? leakage(table, name, target, opts.target) : undefined;
    if (leak) dropped.push({ name, reason: leak });
    else
      features.push(
        verdict.kind === "numeric" && opts.nonFinite === "missing"
          ? { ...verdict, nonFinite: "missing" }
          : verdict,
      );
  }
  if (table.columns.length === 1) {
    const read =
      table.delimiter === undefined
        ? ""
        : ` when read with ${describeDelimiter(table.delimiter)} between fields`;
    const hint = oneColumnHint(table);
    throw new StrataError(
      `${table.file}: one column ("${table.columns[0]}")${read}: ${hint ?? "nothing to predict it from; a model needs feature columns beside the target"}`,
      { params: hint ? ["delimiter"] : [] },
    );
  }
  if (features.length === 0) {
    throw new StrataError(
      `${table.file}: no usable feature columns left${dropped.length ? ` (dropped: ${dropped.map((d) => `${d.name}: ${d.reason}`).join("; ")})` : ""}`,
    );
  }
  return {
    target: opts.target,
    group: opts.group,
    features,
    dropped,
    ...(table.delimiter === undefined ? {} : { delimiter: table.delimiter }),
    ...(table.encoding === undefined ? {} : { encoding: table.encoding }),
  };
}

function inferColumn(
  table: RawTable,
  name: string,
  forceCategorical: boolean,
  explicit: boolean,
): FeatureSpec | DroppedColumn {
  const j = table.columns.indexOf(name);
  const present: string[] = [];
  const presentRows: number[] = [];
  table.rows.forEach((r, i) => {
    if (!isMissing(r[j])) {
      present.push(r[j].trim());
      presentRows.push(i);
    }
  });
  if (present.length === 0) {
    throw new StrataError(
      `${where(table.file, undefined, name)}: all ${table.rows.length} values are missing; drop it with ${apiName("drop", [name])}`,
      { params: ["drop"] },
    );
  }
  if (forceCategorical) return { name, kind: "categorical" };

  const distinct = new Set(present).size;
  if (distinct === 1 && !explicit) return { name, reason: `constant (every value is "${present[0]}")` };

  const numbers = present.map(parseNumber);
  const nonNumeric = numbers.reduce((n, v) => n + (Number.isNaN(v) ? 1 : 0), 0);
  if (nonNumeric === 0) {
    if (!explicit && isRowIdentifier(name, numbers, present.length, table.rows.length)) {
      return { name, reason: `identifier-like (${distinct} distinct integers, one per row)` };
    }
    return { name, kind: "numeric", parse: "number" };
  }
  if (
    present.every(looksLikeDate) ||
    (present.every((c) => !Number.isNaN(parseDecimalYear(c))) && nonNumeric > 0)
  ) {
    return { name, kind: "numeric", parse: "date" };
  }
  if (nonNumeric <= 0.1 * present.length) {
    const k = numbers.findIndex(Number.isNaN);
    throw new StrataError(
      `${where(table.file, table.lines[presentRows[k]], name)}: expected a number, got "${present[k]}" ` +
        `(${present.length - nonNumeric} of ${present.length} values are numbers); fix the file, ` +
        `or pass ${apiName("categorical", [name])} to treat the column as categories`,
      { params: ["categorical"] },
    );
  }
  if (
    explicit ||
    distinct <= ALWAYS_CATEGORICAL ||
    distinct <= Math.min(MAX_CATEGORIES, 0.05 * present.length)
  ) {
    return { name, kind: "categorical" };
  }
  const withSpaces = present.reduce((n, v) => n + (/\s/.test(v) ? 1 : 0), 0);
  const description = `${distinct} distinct values in ${present.length} rows`;
  return withSpaces > 0.3 * present.length
    ? { name, reason: `free text (${description})` }
    : { name, reason: `identifier-like (${description})` };
}

function isRowIdentifier(name: string, numbers: number[], nPresent: number, nRows: number): boolean {
  if (nRows < 20 || nPresent !== nRows || !numbers.every(Number.isInteger)) return false;
  if (new Set(numbers).size !== nRows) return false;
  const increasing = numbers.every((v, i) => i === 0 || v > numbers[i - 1]);
  return increasing || /(^|[_\s-])id$|^id([_\s-]|$)/i.test(name);
}

/**
 * A categorical column whose value almost always fixes the target (e.g. a playlist name that
 * determines the playlist's genre) would give a model near-perfect accuracy on data where that
 * column is known, and nothing where it is not: classic target leakage. Dropped, with the reason.
 */
function leakage(table: RawTable, name: string, target: string[], targetName: string): string | undefined {
  const j = table.columns.indexOf(name);
  const counts = new Map<string, Map<string, number>>();
  let n = 0;
  table.rows.forEach((r, i) => {
    if (isMissing(r[j]) || isMissing(target[i])) return;
    n++;
    const byTarget = counts.get(r[j]) ?? new Map<string, number>();
    byTarget.set(target[i], (byTarget.get(target[i]) ?? 0) + 1);
    counts.set(r[j], byTarget);
  });
  if (counts.size < 2 || n / counts.size < 10) return undefined;
  let agree = 0;
  for (const byTarget of counts.values()) agree += Math.max(...byTarget.values());
  const purity = agree / n;
  const targetValues = new Set(target.filter((t) => !isMissing(t))).size;
  if (purity < 0.98 || targetValues < 2) return undefined;
  return `leaks the target (its ${counts.size} values fix "${targetName}" for ${(100 * purity).toFixed(1)}% of rows); keep it with ${apiName("features")}`;
}
