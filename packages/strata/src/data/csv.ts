import { readFileSync, statSync } from "node:fs";
import { CsvError, parse } from "csv-parse/sync";
import { apiName, StrataError, where } from "../errors.js";
import { DELIMITERS, describeDelimiter, sniffDelimiter } from "./delimiter.js";
import { type CsvEncoding, decodeCsvBytes, type EncodingSource } from "./text.js";

export type { CsvEncoding } from "./text.js";

/** A CSV file as read: every cell a string, with each row's line number in the file for error messages. */
export interface RawTable {
  /** The path the table was read from, as the user gave it. */
  readonly file: string;
  readonly columns: readonly string[];
  /** rows[i][j] is column j of data row i. */
  readonly rows: readonly (readonly string[])[];
  /** lines[i] is the 1-based line of the file where data row i starts. */
  readonly lines: readonly number[];
  /** The field delimiter the file was read with (absent for tables not read from a file). */
  readonly delimiter?: string;
  /** True when the delimiter was sniffed rather than given. */
  readonly delimiterDetected?: boolean;
  /** How the file's bytes were read as text. */
  readonly encoding?: CsvEncoding;
}

export interface ReadCsvOptions {
  /** false: the file has no header row; columns are named c0, c1, … */
  header?: boolean;
  /** The field delimiter; absent, it is sniffed from the first lines (see sniffDelimiter). */
  delimiter?: string;
  /** How the bytes are text (default "utf8"); see CsvEncoding. */
  encoding?: CsvEncoding;
  /**
   * Where `encoding` came from, for the advice when the file is not in it: "option" (default)
   * suggests the option `encoding: "latin1"`; "model" says the model reads that encoding.
   */
  encodingSource?: EncodingSource;
}

interface ParsedRecord {
  record: string[];
  /** bytes: how far into the file the parser was when the record ended. */
  info: { bytes: number };
}

/**
 * Reads a whole CSV file with csv-parse (quoted fields, embedded commas and newlines,
 * CRLF and a UTF-8 byte-order mark are handled by the parser). Ragged rows are an error
 * naming the row, not silently padded. A file that is not text in the encoding (an image,
 * an archive, UTF-16, invalid UTF-8) is an error saying what it looks like; the delimiter,
 * unless given, is sniffed from the first lines.
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
  bytes = decodeCsvBytes(file, bytes, options.encoding, options.encodingSource);
  if (
    bytes
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .trim() === ""
  )
    throw new StrataError(`${file}: file is empty`);

  const delimiter = options.delimiter ?? sniffDelimiter(bytes.subarray(0, 128 * 1024).toString("utf8"));
  checkDelimiter(delimiter);
  let parsed: ParsedRecord[];
  try {
    parsed = parse(bytes, {
      bom: true,
      delimiter,
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
        `${where(file, line)}: expected ${columns.length} fields (as in the ${header ? "header" : "first row"}${delimiter === "," ? "" : `, split at ${describeDelimiter(delimiter)}`}), got ${record.length}`,
      );
    }
    rows.push(record);
    lines.push(line);
  }
  return {
    file,
    columns,
    rows,
    lines,
    delimiter,
    delimiterDetected: options.delimiter === undefined,
    encoding: options.encoding ?? "utf8",
  };
}

/** A delimiter csv-parse can split at: one character, not a quote or a line break. */
function checkDelimiter(d: string): void {
  if ([...d].length !== 1 || d === '"' || d === "\n" || d === "\r")
    throw new StrataError(
      `the CSV delimiter must be one character other than a quote or a line break, got ${JSON.stringify(d)}`,
    );
}

/**
 * Why a table read as one column may be another delimiter's file: "the header has ';' between
 * names; use `delimiter: ";"`", or undefined when its one name holds no other delimiter. A
 * message that includes it lists "delimiter" in its params.
 */
export function oneColumnHint(table: RawTable): string | undefined {
  if (table.columns.length !== 1) return undefined;
  const other = DELIMITERS.find((d) => d !== table.delimiter && table.columns[0].includes(d));
  return other === undefined
    ? undefined
    : `the header has ${describeDelimiter(other)} between names; use ${apiName("delimiter", other)}`;
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

/** What a column is to the caller, for messages: words ("target"), or the option that names it. */
export type ColumnRole = string | { readonly param: string };

/** The column's index, or a StrataError that lists the columns the file has. */
export function columnIndex(table: RawTable, name: string, role: ColumnRole): number {
  const j = table.columns.indexOf(name);
  if (j === -1) {
    const hint = oneColumnHint(table);
    const params = [...(typeof role === "string" ? [] : [role.param]), ...(hint ? ["delimiter"] : [])];
    throw new StrataError(
      `${table.file}: ${typeof role === "string" ? role : apiName(role.param)} column "${name}" not found; the columns are: ${table.columns.join(", ")}${hint ? ` (${hint})` : ""}`,
      { params },
    );
  }
  return j;
}

/** Keeps the first row for each value of `key` (like pandas drop_duplicates(subset=key, keep="first")). */
export function dropDuplicates(table: RawTable, key: string): { table: RawTable; removed: number } {
  const j = columnIndex(table, key, { param: "dropDuplicates" });
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
