/**
 * An error caused by the user's input (a file, a column, an option), as opposed
 * to a bug. The CLI prints its message on one line and exits non-zero; it never
 * shows a stack trace for these.
 */
export class StrataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StrataError";
  }
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
