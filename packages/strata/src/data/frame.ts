import { StrataError } from "../errors.js";

/** A numeric column: NaN marks a missing value. */
export interface NumericColumn {
  readonly kind: "numeric";
  readonly values: Float64Array;
}

/** A categorical column: null marks a missing value. */
export interface CategoricalColumn {
  readonly kind: "categorical";
  readonly values: readonly (string | null)[];
}

export type Column = NumericColumn | CategoricalColumn;

/**
 * A typed, column-major table of features: what tabular estimators take as X.
 * Built from a CSV by a schema (see schema.ts), or directly from arrays in a program.
 */
export class Frame {
  readonly nRows: number;

  constructor(readonly columns: ReadonlyMap<string, Column>) {
    const lengths = new Set([...columns.values()].map((c) => c.values.length));
    if (lengths.size > 1) throw new Error(`Frame: columns differ in length (${[...lengths].join(", ")})`);
    this.nRows = lengths.size === 1 ? [...lengths][0] : 0;
  }

  /** Builds a frame from plain arrays: numbers become numeric columns, strings categorical ones. */
  static fromColumns(
    columns: Record<string, readonly (number | null)[] | readonly (string | null)[]>,
  ): Frame {
    const map = new Map<string, Column>();
    for (const [name, values] of Object.entries(columns)) {
      const isNumeric = values.every((v) => v === null || typeof v === "number");
      map.set(
        name,
        isNumeric
          ? {
              kind: "numeric",
              values: Float64Array.from(values as (number | null)[], (v) => v ?? Number.NaN),
            }
          : { kind: "categorical", values: values.map((v) => (v === null ? null : String(v))) },
      );
    }
    return new Frame(map);
  }

  get names(): string[] {
    return [...this.columns.keys()];
  }

  column(name: string): Column {
    const c = this.columns.get(name);
    if (!c)
      throw new StrataError(
        `the table has no column "${name}", which the model was fit on; it has: ${this.names.join(", ")}`,
      );
    return c;
  }

  /** The rows at `indices`, in that order. */
  take(indices: ArrayLike<number>): Frame {
    const out = new Map<string, Column>();
    for (const [name, c] of this.columns) {
      if (c.kind === "numeric") {
        const v = new Float64Array(indices.length);
        for (let i = 0; i < indices.length; i++) v[i] = c.values[indices[i]];
        out.set(name, { kind: "numeric", values: v });
      } else {
        out.set(name, { kind: "categorical", values: Array.from(indices, (i) => c.values[i]) });
      }
    }
    return new Frame(out);
  }
}

/** Picks `indices` out of any array (labels, groups). */
export function takeAt<T>(values: readonly T[], indices: ArrayLike<number>): T[] {
  return Array.from(indices, (i) => values[i]);
}
