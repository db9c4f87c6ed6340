export interface StrataErrorOptions {
  /**
   * The API names (options, params) the message mentions, each written in it as a code span
   * ({@link apiName}): `group`, or `drop: ["b"]` with a value. A program reads the message as
   * it is; the CLI shows each listed span as its flag (`--group`, `--drop b`), and nothing else.
   */
  readonly params?: readonly string[];
}

/**
 * An error caused by the user's input (a file, a column, an option), as opposed
 * to a bug. The CLI prints its message on one line and exits non-zero; it never
 * shows a stack trace for these. Its message names options as the API spells them.
 */
export class StrataError extends Error {
  /** The API names the message mentions as code spans (see StrataErrorOptions). */
  readonly params: readonly string[];

  constructor(message: string, options: StrataErrorOptions = {}) {
    super(message);
    this.name = "StrataError";
    this.params = options.params ?? [];
  }
}

/**
 * How a message names an option or param: `name` in backquotes, or `name: value` with the value
 * as JSON (`drop: ["b"]`, `delimiter: ";"`), as a program would write it. List the name in the
 * StrataError's `params`, so that the CLI can show it as its flag.
 */
export function apiName(name: string, value?: string | number | boolean | readonly string[]): string {
  return value === undefined ? `\`${name}\`` : `\`${name}: ${JSON.stringify(value)}\``;
}

/** Formats a location such as `data.csv, line 12, column "age"` (lines are 1-based, as an editor shows them). */
export function where(file: string | undefined, row?: number, column?: string): string {
  const parts: string[] = [];
  if (file !== undefined) parts.push(file);
  if (row !== undefined) parts.push(`line ${row}`);
  if (column !== undefined) parts.push(`column "${column}"`);
  return parts.join(", ");
}

/**
 * The first non-empty line of an error's message: what a user needs of a library's error
 * (XGBoost's run to a stack of its frames, TF.js's to paragraphs of advice).
 */
export function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return (
    message
      .split("\n")
      .find((l) => l.trim() !== "")
      ?.trim() ?? message
  );
}
