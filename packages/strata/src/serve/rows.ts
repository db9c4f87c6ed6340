import type { FastifyRequest } from "fastify";
import { cliMessage } from "../cli/flag-names.js";
import type { RawTable } from "../data/csv.js";
import { readCsv } from "../data/csv.js";
import type { Frame } from "../data/frame.js";
import { csvReadOptions, type TabularSchema } from "../data/schema.js";
import { toFrame } from "../data/tabular.js";
import { StrataError, where } from "../errors.js";
import { ClientError } from "./errors.js";
import { saveUploads } from "./uploads.js";

/**
 * The largest magnitude a 32-bit float holds. Models compute in float32: a larger number becomes
 * Infinity there, and the answer NaN (which JSON sends as null), so a request is refused instead.
 */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Table rows to predict, with a name for each ("row 3"). */
export interface Rows {
  readonly frame: Frame;
  readonly names: string[];
}

/**
 * The `rows` of a JSON body (`{ "rows": [{ "age": 31, "city": "Oslo" }, …] }`) as a Frame for
 * the schema's features. Values may be numbers, strings or null; a feature left out or null is
 * missing (imputed as in training); a key that is not a feature is refused, so a misspelt column
 * is not silently imputed. Cells are read exactly as a CSV's would be.
 */
export function rowsFromJson(body: unknown, schema: TabularSchema, maxRows: number): Rows {
  const rows = (body as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows) || rows.length === 0)
    throw new ClientError(
      400,
      'expected a JSON object { "rows": [ { column: value, … }, … ] } with at least one row',
    );
  if (rows.length > maxRows) throw tooManyRows(rows.length, maxRows);
  const names = schema.features.map((f) => f.name);
  const known = new Set(names);
  const cells = rows.map((r: unknown, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r))
      throw new ClientError(400, `row ${i + 1}: expected an object of column values`);
    const record = r as Record<string, unknown>;
    const unknown = Object.keys(record).filter((k) => !known.has(k));
    if (unknown.length)
      throw new ClientError(
        400,
        `row ${i + 1}: unknown column ${unknown.map((k) => `"${k}"`).join(", ")}; the model's columns are: ${names.join(", ")}`,
      );
    return names.map((name) => cellText(record[name], i, name));
  });
  const table: RawTable = { file: "request", columns: names, rows: cells, lines: cells.map((_, i) => i + 1) };
  const frame = convert(
    () => checkedFrame(table, schema),
    (m) => m.replace(/^request, line (\d+), /, "row $1, "),
  );
  return { frame, names: cells.map((_, i) => `row ${i + 1}`) };
}

/**
 * A table request's rows: JSON `{ "rows": [...] }`, or one CSV file sent as multipart/form-data
 * (saved under `tempDir` while it is read, then removed).
 */
export async function requestRows(
  request: FastifyRequest,
  schema: TabularSchema,
  tempDir: string,
  maxRows: number,
): Promise<Rows> {
  if (!request.isMultipart()) return rowsFromJson(request.body, schema, maxRows);
  const uploads = await saveUploads(request, tempDir);
  try {
    if (uploads.files.length !== 1)
      throw new ClientError(400, `send one CSV file (with a header row), got ${uploads.files.length} files`);
    return rowsFromCsv(uploads.files[0], uploads.names[0], schema, maxRows);
  } finally {
    await uploads.remove();
  }
}

/** The rows of an uploaded CSV file (with a header row) as a Frame for the schema's features. */
export function rowsFromCsv(file: string, label: string, schema: TabularSchema, maxRows: number): Rows {
  // readCsv names the temporary file in its messages; the client knows the file by `label`.
  const table = convert(
    () => readCsv(file, csvReadOptions(schema)),
    (m) => m.split(file).join(label),
  );
  const named: RawTable = { ...table, file: label };
  if (named.rows.length > maxRows) throw tooManyRows(named.rows.length, maxRows, label);
  return {
    frame: convert(() => checkedFrame(named, schema)),
    names: named.lines.map((line) => `line ${line}`),
  };
}

function tooManyRows(rows: number, limit: number, file?: string): ClientError {
  return new ClientError(
    413,
    `${file ? `${file}: ` : ""}too many rows: the limit is ${limit} per request, got ${rows}`,
  );
}

/**
 * The table's feature columns as a Frame (toFrame), refusing a number beyond float32's range
 * with its location: a finite double such as 1e300 that the model would read as Infinity.
 */
function checkedFrame(table: RawTable, schema: TabularSchema): Frame {
  const frame = toFrame(table, schema.features);
  const numeric = [...frame.columns].flatMap(([name, c]) =>
    c.kind === "numeric" ? [{ name, values: c.values }] : [],
  );
  for (let i = 0; i < frame.nRows; i++)
    for (const { name, values } of numeric) {
      if (!(Math.abs(values[i]) > FLOAT32_MAX)) continue;
      const cell = table.rows[i][table.columns.indexOf(name)].trim();
      throw new StrataError(
        `${where(table.file, table.lines[i], name)}: ${cell} is too large for the model, which computes in 32-bit floats (at most ±3.4e38)`,
      );
    }
  return frame;
}

function cellText(v: unknown, row: number, column: string): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") {
    if (!Number.isFinite(v))
      throw new ClientError(400, `row ${row + 1}, column "${column}": ${v} is not a number`);
    return String(v);
  }
  if (typeof v === "string" || typeof v === "boolean") return String(v);
  throw new ClientError(400, `row ${row + 1}, column "${column}": expected a number, a string or null`);
}

/**
 * Runs a conversion; its StrataError (a bad cell, a missing column) becomes a 400 with the same
 * message, in the CLI's terms (this is `strata serve`'s server).
 */
function convert<T>(f: () => T, message: (m: string) => string = (m) => m): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof StrataError) throw new ClientError(400, message(cliMessage(e)));
    throw e;
  }
}
