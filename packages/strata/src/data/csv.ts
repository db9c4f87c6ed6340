import { readFileSync, statSync } from "node:fs";
import { CsvError, parse } from "csv-parse/sync";
import { StrataError, where } from "../errors.js";

/** A CSV file as read: every cell a string, with each row's line number in the file for error messages. */
export interface RawTable {
  /** The path the table was read from, as the user gave it. */
  readonly file: string;
  readonly columns: readonly string[];
  /** rows[i][j] is column j of data row i. */
  readonly rows: readonly (readonly string[])[];
  /** lines[i] is the 1-based line of the file where data row i starts. */
  readonly lines: readonly number[];
}

export interface ReadCsvOptions {
  /** false: the file has no header row; columns are named c0, c1, … */
  header?: boolean;
  delimiter?: string;
}

interface ParsedRecord {
  record: string[];
  /** bytes: how far into the file the parser was when the record ended. */
  info: { bytes: number };
}

/**
 * Reads a whole CSV file with csv-parse (quoted fields, embedded commas and newlines,
 * CRLF and a UTF-8 byte-order mark are handled by the parser). Ragged rows are an error
 * naming the row, not silently padded.
 */
export function readCsv(file: string, options: ReadCsvOptions = {}): RawTable {
  const header = options.header ?? true;
  let bytes: Buffer;
  try {
    if (statSync(file).isDirectory()) throw new StrataError(`${file}: is a folder, expected a CSV file`);
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof StrataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new StrataError(`${file}: file not found`);
    throw new StrataError(`${file}: cannot read file (${code ?? String(e)})`);
  }
  if (
    bytes
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .trim() === ""
  )
    throw new StrataError(`${file}: file is empty`);

  let parsed: ParsedRecord[];
  try {
    parsed = parse(bytes, {
      bom: true,
      delimiter: options.delimiter ?? ",",
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as ParsedRecord[];
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      throw new StrataError(
        `${where(file, line)}: malformed CSV (${e.message.replace(/^Invalid Record Length: /, "")})`,
      );
    }
    throw e;
  }

  const first = parsed[0];
  const columns = header ? nameColumns(first.record, file) : first.record.map((_, j) => `c${j}`);
  const body = header ? parsed.slice(1) : parsed;
  if (body.length === 0) throw new StrataError(`${file}: has a header row but no data rows`);

  const lineOf = lineCounter(bytes);
  let end = header ? parsed[0].info.bytes : 0;
  const rows: string[][] = [];
  const lines: number[] = [];
  for (const { record, info } of body) {
    const line = lineOf(skipLineBreaks(bytes, end));
    end = info.bytes;
    if (record.length !== columns.length) {
      throw new StrataError(
        `${where(file, line)}: expected ${columns.length} fields (as in the ${header ? "header" : "first row"}), got ${record.length}`,
      );
    }
    rows.push(record);
    lines.push(line);
  }
  return { file, columns, rows, lines };
}

function nameColumns(names: string[], file: string): string[] {
  const seen = new Set<string>();
  return names.map((raw, j) => {
    const name = raw.trim() === "" ? `c${j}` : raw.trim();
    if (seen.has(name)) throw new StrataError(`${file}: the header names column "${name}" twice`);
    seen.add(name);
    return name;
  });
}

/*
 * Line numbers are computed from byte offsets rather than csv-parse's `info.lines`, which
 * drifts after a quoted field holding "\r\n" (it counts both characters as line breaks there).
 */

/** The first offset at or after `at` that is not a line break (skipped blank lines end there). */
function skipLineBreaks(bytes: Buffer, at: number): number {
  let i = at;
  while (i < bytes.length && (bytes[i] === 10 || bytes[i] === 13)) i++;
  return i;
}

/** Returns a function from a byte offset to its 1-based line; offsets must be asked in increasing order. */
function lineCounter(bytes: Buffer): (offset: number) => number {
  let line = 1;
  let pos = 0;
  return (offset) => {
    for (; pos < offset; pos++) {
      if (bytes[pos] === 10 || (bytes[pos] === 13 && bytes[pos + 1] !== 10)) line++;
    }
    return line;
  };
}

/** The column's index, or a StrataError that lists the columns the file has. */
export function columnIndex(table: RawTable, name: string, role: string): number {
  const j = table.columns.indexOf(name);
  if (j === -1) {
    throw new StrataError(
      `${table.file}: ${role} column "${name}" not found; the columns are: ${table.columns.join(", ")}`,
    );
  }
  return j;
}

/** Keeps the first row for each value of `key` (like pandas drop_duplicates(subset=key, keep="first")). */
export function dropDuplicates(table: RawTable, key: string): { table: RawTable; removed: number } {
  const j = columnIndex(table, key, "--drop-duplicates");
  const seen = new Set<string>();
  const rows: (readonly string[])[] = [];
  const lines: number[] = [];
  table.rows.forEach((r, i) => {
    if (seen.has(r[j])) return;
    seen.add(r[j]);
    rows.push(r);
    lines.push(table.lines[i]);
  });
  return { table: { ...table, rows, lines }, removed: table.rows.length - rows.length };
}
