import type { RawTable } from "../data/csv.js";
import { readCsv } from "../data/csv.js";
import type { Frame } from "../data/frame.js";
import type { TabularSchema } from "../data/schema.js";
import { toFrame } from "../data/tabular.js";
import { StrataError } from "../errors.js";
import { ClientError } from "./errors.js";

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
  if (rows.length > maxRows)
    throw new ClientError(413, `${rows.length} rows is more than the limit of ${maxRows}`);
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
    () => toFrame(table, schema.features),
    (m) => m.replace(/^request, line (\d+), /, "row $1, "),
  );
  return { frame, names: cells.map((_, i) => `row ${i + 1}`) };
}

/** The rows of an uploaded CSV file (with a header row) as a Frame for the schema's features. */
export function rowsFromCsv(file: string, label: string, schema: TabularSchema, maxRows: number): Rows {
  // readCsv names the temporary file in its messages; the client knows the file by `label`.
  const table = convert(
    () => readCsv(file, {}),
    (m) => m.split(file).join(label),
  );
  const named: RawTable = { ...table, file: label };
  if (named.rows.length > maxRows)
    throw new ClientError(413, `${label}: ${named.rows.length} rows is more than the limit of ${maxRows}`);
  return {
    frame: convert(() => toFrame(named, schema.features)),
    names: named.lines.map((line) => `line ${line}`),
  };
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

/** Runs a conversion; its StrataError (a bad cell, a missing column) becomes a 400 with the same message. */
function convert<T>(f: () => T, message: (m: string) => string = (m) => m): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof StrataError) throw new ClientError(400, message(e.message));
    throw e;
  }
}
