import { StrataError, where } from "../errors.js";

/**
 * A StrataError about one row of what a model was given (a Frame's row, a probability matrix's
 * row), 0-based in `row`. Where the rows came from (a CSV file's lines, image files) is not known
 * where it is thrown: a caller that knows turns it into a message naming the file with `at`.
 * Uncaught, it reads `column "age", row 3: …` (rows 1-based).
 */
export class RowError extends StrataError {
  constructor(
    readonly row: number,
    readonly detail: string,
    readonly column?: string,
  ) {
    super(`${column === undefined ? "" : `column "${column}", `}row ${row + 1}: ${detail}`);
  }

  /** The same error naming the file: `data.csv, line 12, column "age": …` (line undefined: the file only). */
  at(file: string, line?: number): StrataError {
    return new StrataError(`${where(file, line, this.column)}: ${this.detail}`);
  }
}

/**
 * Throws a RowError for the first row of `proba` (shape [rows, cols]) holding a value that is
 * not a finite number (a NaN probability would be scored or decoded as a silent wrong answer).
 * `rowOf` maps a row of `proba` to the row the error names (default: the same).
 */
export function checkFiniteProba(
  proba: { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> },
  rowOf: (r: number) => number = (r) => r,
  whose = "the model's",
): void {
  for (let k = 0; k < proba.data.length; k++) {
    const v = proba.data[k];
    if (!Number.isFinite(v))
      throw new RowError(
        rowOf(Math.floor(k / proba.cols)),
        `${whose} probabilities are ${v}, not numbers; its input or its files hold values it cannot use`,
      );
  }
}

/**
 * Runs `work` on the rows `rows` of a table (e.g. `frame.take(rows)`): a RowError it throws,
 * about its row r, is rethrown about row `rows[r]` of the table.
 */
export function inRows<T>(rows: readonly number[], work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (e instanceof RowError && rows[e.row] !== undefined)
      throw new RowError(rows[e.row], e.detail, e.column);
    throw e;
  }
}
