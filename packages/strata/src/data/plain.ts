import { StrataError } from "../errors.js";
import { type Column, Frame } from "./frame.js";
import type { PreprocessState } from "./preprocess.js";
import { RowError } from "./row-error.js";

/** One value of a plain row: a number, a category (text or true/false), or null for a missing value. */
export type Cell = number | string | boolean | null;
/** A row as an object: column name → value (what JSON and most databases give). */
export type ObjectRow = Readonly<Record<string, Cell>>;
/** A row as numbers only; its columns are named c0, c1, … (null or NaN: missing). */
export type NumberRow = readonly (number | null)[];
/**
 * What a table estimator takes as X: a Frame, rows of numbers (`number[][]`, as scikit-learn
 * takes arrays), or rows as objects (`{ age: 41, city: "Oslo" }[]`, as Keras takes lists).
 */
export type TableData = Frame | readonly NumberRow[] | readonly ObjectRow[];

/** A column a table model was fit on: its name and whether it held numbers or categories. */
export interface ColumnSpec {
  readonly name: string;
  readonly kind: Column["kind"];
}

/** The name rows of numbers give column `i`. */
export function arrayColumnName(i: number): string {
  return `c${i}`;
}

/** The columns of a frame, in order. */
export function columnSpecs(frame: Frame): ColumnSpec[] {
  return [...frame.columns].map(([name, c]) => ({ name, kind: c.kind }));
}

/** Whether X is plain rows rather than a Frame (its errors then name `rows[i]`). */
export function isPlainTable(x: TableData): x is readonly NumberRow[] | readonly ObjectRow[] {
  return !(x instanceof Frame);
}

/**
 * X as a Frame. Without `columns` (at fit), the columns are the first row's: rows of numbers
 * give numeric columns c0, c1, …; object rows give a numeric column where every value is a
 * number (or null), else a categorical one (text, or true/false); every row must have the first
 * row's width or keys. With `columns` (at predict: the columns the model was fit on), each row
 * must give every one of them, of its kind; an object's other keys are ignored. A row that does
 * not fit is a RowError naming the row (and the column).
 */
export function tableFrame(x: TableData, columns?: readonly ColumnSpec[]): Frame {
  if (x instanceof Frame) return x;
  if (!Array.isArray(x))
    throw new StrataError(
      `expected rows: a Frame, an array of number arrays, or an array of objects; got ${describe(x)}`,
    );
  const rows = x as readonly unknown[];
  if (rows.length === 0) return emptyFrame(columns);
  rows.forEach((r, i) => {
    if (typeof r !== "object" || r === null)
      throw new RowError(i, `expected an array of numbers or an object of column values, got ${describe(r)}`);
  });
  return Array.isArray(rows[0])
    ? arrayFrame(rows as readonly unknown[][], columns)
    : objectFrame(rows as readonly Record<string, unknown>[], columns);
}

function emptyFrame(columns: readonly ColumnSpec[] | undefined): Frame {
  const map = new Map<string, Column>();
  for (const c of columns ?? [])
    map.set(
      c.name,
      c.kind === "numeric"
        ? { kind: "numeric", values: new Float64Array(0) }
        : { kind: "categorical", values: [] },
    );
  return new Frame(map);
}

function arrayFrame(rows: readonly unknown[][], columns: readonly ColumnSpec[] | undefined): Frame {
  const width = columns ? columns.length : rows[0].length;
  if (columns) {
    const named = columns.findIndex((c, i) => c.name !== arrayColumnName(i) || c.kind !== "numeric");
    if (named !== -1)
      throw new StrataError(
        `rows of numbers cannot be matched to this model's columns: it was fit on ${describeColumns(columns)}; give rows as objects with those keys (or a Frame)`,
      );
  }
  if (width === 0) throw new RowError(0, "has no values: a row needs at least one column");
  const values = Array.from({ length: width }, () => new Float64Array(rows.length));
  rows.forEach((r, i) => {
    if (!Array.isArray(r))
      throw new RowError(i, `is ${describe(r)}, but the first row is an array: give every row the same form`);
    if (r.length !== width)
      throw new RowError(
        i,
        columns
          ? `has ${r.length} value${r.length === 1 ? "" : "s"}, but the model was fit on ${width} columns`
          : `has ${r.length} value${r.length === 1 ? "" : "s"}, but the first row has ${width}`,
      );
    for (let j = 0; j < width; j++) {
      const v: unknown = r[j];
      if (v === null) values[j][i] = Number.NaN;
      else if (typeof v === "number") values[j][i] = v;
      else
        throw new RowError(
          i,
          `expected a number (or null for a missing value), got ${describe(v)}; rows of text or true/false go as objects`,
          arrayColumnName(j),
        );
    }
  });
  return new Frame(
    new Map(values.map((v, j) => [arrayColumnName(j), { kind: "numeric", values: v } satisfies Column])),
  );
}

function objectFrame(
  rows: readonly Record<string, unknown>[],
  columns: readonly ColumnSpec[] | undefined,
): Frame {
  rows.forEach((r, i) => {
    if (Array.isArray(r))
      throw new RowError(i, "is an array, but the first row is an object: give every row the same form");
  });
  const specs = columns ?? inferColumns(rows);
  if (specs.length === 0) throw new RowError(0, "has no keys: a row needs at least one column");
  const map = new Map<string, Column>();
  for (const spec of specs) {
    const name = spec.name;
    const present = (r: Record<string, unknown>, i: number): unknown => {
      if (!Object.hasOwn(r, name) || r[name] === undefined)
        throw new RowError(
          i,
          columns ? "missing: the model was fit on this column" : "missing: the first row has this column",
          name,
        );
      return r[name];
    };
    if (spec.kind === "numeric") {
      const values = new Float64Array(rows.length);
      rows.forEach((r, i) => {
        const v = present(r, i);
        if (v === null) values[i] = Number.NaN;
        else if (typeof v === "number") values[i] = v;
        else
          throw new RowError(
            i,
            columns
              ? `expected a number (or null), as the column held when the model was fit, got ${describe(v)}`
              : `is ${describe(v)}, but the column's other values are numbers: give one kind of value per column`,
            name,
          );
      });
      map.set(name, { kind: "numeric", values });
    } else {
      const values = rows.map((r, i) => {
        const v = present(r, i);
        if (v === null) return null;
        if (typeof v === "string" || typeof v === "boolean" || (columns && typeof v === "number"))
          return String(v);
        throw new RowError(
          i,
          columns
            ? `expected text, true/false or null, as the column held when the model was fit, got ${describe(v)}`
            : `is ${describe(v)}, but the column's other values are text or true/false: give one kind of value per column`,
          name,
        );
      });
      map.set(name, { kind: "categorical", values });
    }
  }
  return new Frame(map);
}

/**
 * The columns of object rows at fit: the first row's keys, in order; every row must have the
 * same keys. A column is numeric when every value is a number or null (and one is a number).
 */
function inferColumns(rows: readonly Record<string, unknown>[]): ColumnSpec[] {
  const names = Object.keys(rows[0]);
  const known = new Set(names);
  rows.forEach((r, i) => {
    const extra = Object.keys(r).find((k) => !known.has(k) && r[k] !== undefined);
    if (extra !== undefined)
      throw new RowError(i, "is not a column of the first row: give every row the same keys", extra);
  });
  return names.map((name) => {
    const first = rows.find((r) => r[name] !== null && r[name] !== undefined)?.[name];
    return { name, kind: typeof first === "number" || first === undefined ? "numeric" : "categorical" };
  });
}

function describeColumns(columns: readonly ColumnSpec[]): string {
  const names = columns.slice(0, 5).map((c) => c.name);
  return `${columns.length} named column${columns.length === 1 ? "" : "s"} (${names.join(", ")}${columns.length > 5 ? ", …" : ""})`;
}

/** A value as a message shows it: strings quoted, objects by their kind. */
export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  return `${typeof v === "number" || typeof v === "boolean" ? "" : `${typeof v} `}${String(v)}`;
}

/**
 * Runs `work` on X; when X was plain rows, a RowError from it (a bad value found by the
 * conversion or the preprocessing) is rethrown naming the row as the caller's array indexes it:
 * `rows[3], column "age": …`.
 */
export async function namingPlainRows<T>(x: TableData, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof RowError && isPlainTable(x))
      throw new StrataError(
        `rows[${e.row}]${e.column === undefined ? "" : `, column "${e.column}"`}: ${e.detail}`,
      );
    throw e;
  }
}

/** The columns a fitted preprocessing pipeline reads (numeric ones in their order, then categorical ones). */
export function preprocessedColumns(state: PreprocessState): ColumnSpec[] {
  return [
    ...state.numeric.map((c) => ({ name: c.name, kind: "numeric" as const })),
    ...state.categorical.map((c) => ({ name: c.name, kind: "categorical" as const })),
  ];
}
