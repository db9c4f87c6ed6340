import { apiName, StrataError, where } from "../errors.js";
import { columnIndex, type RawTable } from "./csv.js";
import { DELIMITERS, describeDelimiter } from "./delimiter.js";
import { type Column, Frame } from "./frame.js";
import { inferProblemType, type ProblemTask, type ProblemType, type TaskOverride } from "./problem-type.js";
import { RowError } from "./row-error.js";
import type { FeatureSpec, TabularSchema } from "./schema.js";
import { isMissing, parseDecimalYear, parseNumber, sortLabels } from "./values.js";

export type Task = "binary" | "multiclass";

/** A labelled table ready for splitting and fitting. */
export interface TabularDataset {
  readonly frame: Frame;
  /** The target of each row, as the original string. */
  readonly y: string[];
  /** The class names in a stable order (numeric order when they are numbers); none for regression. */
  readonly labels: string[];
  readonly task: ProblemTask;
  /** Why the task is what it is (data/problem-type.ts: the rule and the counts that decided it). */
  readonly problem: ProblemType;
  /** For regression: each row's target as a number (finite, every one). */
  readonly values?: Float64Array;
  /** The group of each row, when the schema names a group column. */
  readonly groups?: string[];
  /** Rows left out because their target was missing. */
  readonly missingTarget: number;
}

/**
 * Converts the feature columns of a raw table into a typed Frame, following `features`.
 * Every feature must be a column of the table; a non-number in a numeric column is an
 * error naming its line.
 */
export function toFrame(table: RawTable, features: readonly FeatureSpec[]): Frame {
  const missing = features.filter((f) => !table.columns.includes(f.name)).map((f) => f.name);
  if (missing.length > 0) {
    throw new StrataError(
      `${table.file}: lacks ${missing.length === 1 ? "column" : "columns"} the model was trained on: ${missing.join(", ")}${otherDelimiter(table)}`,
    );
  }
  const columns = new Map<string, Column>();
  for (const f of features) columns.set(f.name, convertColumn(table, f));
  return new Frame(columns);
}

/** " (… its header is one column with ';' between names)" when the file looks split at another delimiter. */
function otherDelimiter(table: RawTable): string {
  if (table.columns.length !== 1 || table.delimiter === undefined) return "";
  const other = DELIMITERS.find((d) => d !== table.delimiter && table.columns[0].includes(d));
  return other === undefined
    ? ""
    : ` (read with ${describeDelimiter(table.delimiter)} between fields, as the model's training file was, its header is one column with ${describeDelimiter(other)} between names)`;
}

function convertColumn(table: RawTable, f: FeatureSpec): Column {
  const j = table.columns.indexOf(f.name);
  if (f.kind === "categorical") {
    return { kind: "categorical", values: table.rows.map((r) => (isMissing(r[j]) ? null : r[j].trim())) };
  }
  const parse = f.parse === "date" ? parseDecimalYear : parseNumber;
  const values = new Float64Array(table.rows.length);
  table.rows.forEach((r, i) => {
    const cell = r[j];
    if (isMissing(cell)) {
      values[i] = Number.NaN;
      return;
    }
    const v = parse(cell);
    if (Number.isNaN(v)) {
      const expected = f.parse === "date" ? "a date (YYYY, YYYY-MM or YYYY-MM-DD)" : "a number";
      throw new StrataError(
        `${where(table.file, table.lines[i], f.name)}: expected ${expected}, got "${cell}"`,
      );
    }
    if (!Number.isFinite(v)) {
      if (f.nonFinite === "missing") {
        values[i] = Number.NaN;
        return;
      }
      throw new StrataError(
        `${where(table.file, table.lines[i], f.name)}: "${cell.trim()}" is not a finite number (too large for a double, it reads as ${v}); ` +
          `fix the value, or fit with ${apiName("nonFinite", "missing")} to treat such values as missing`,
        { params: ["nonFinite"] },
      );
    }
    values[i] = v;
  });
  return { kind: "numeric", values };
}

/**
 * The labelled dataset for `schema`: rows whose target is missing are left out (and counted).
 * The task is inferred from the target's values (data/problem-type.ts) unless `task` says which;
 * a regression target must be a finite number in every row kept (a RowError names the line).
 */
export function toDataset(table: RawTable, schema: TabularSchema, task?: TaskOverride): TabularDataset {
  const t = columnIndex(table, schema.target, "target");
  const keep: number[] = [];
  table.rows.forEach((r, i) => {
    if (!isMissing(r[t])) keep.push(i);
  });
  if (keep.length === 0)
    throw new StrataError(`${where(table.file, undefined, schema.target)}: every target value is missing`);
  const kept: RawTable = {
    ...table,
    rows: keep.map((i) => table.rows[i]),
    lines: keep.map((i) => table.lines[i]),
  };
  const y = kept.rows.map((r) => r[t].trim());
  const problem = inTable(kept, schema.target, () => inferProblemType(y, { column: schema.target, task }));
  const regression = problem.task === "regression";
  const labels = regression ? [] : sortLabels(y);
  if (!regression) checkTarget(table, schema.target, y, labels);
  const g = schema.group === undefined ? -1 : columnIndex(table, schema.group, { param: "group" });
  return {
    frame: toFrame(kept, schema.features),
    y,
    labels,
    task: problem.task,
    problem,
    ...(regression ? { values: targetNumbers(kept, schema.target, y) } : {}),
    groups: g === -1 ? undefined : kept.rows.map((r) => (isMissing(r[g]) ? "(missing)" : r[g].trim())),
    missingTarget: table.rows.length - keep.length,
  };
}

/**
 * Runs `work`; a RowError it throws about row r of `table` names the file and its line, and an
 * error about the whole `target` column ("y: every value is missing") names the file.
 */
function inTable<T>(table: RawTable, target: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    if (e instanceof StrataError && !(e instanceof RowError) && e.message.startsWith(`${target}: `))
      throw new StrataError(
        `${where(table.file, undefined, target)}: ${e.message.slice(target.length + 2)}`,
        {
          params: e.params,
        },
      );
    // The rule's messages name the `task` option: the CLI shows it as its flag.
    if (e instanceof RowError)
      throw new StrataError(e.at(table.file, table.lines[e.row]).message, { params: ["task"] });
    throw e;
  }
}

/** The regression target as numbers; a value too large for a double names its line. */
function targetNumbers(table: RawTable, target: string, y: readonly string[]): Float64Array {
  const values = Float64Array.from(y, parseNumber);
  values.forEach((v, i) => {
    if (!Number.isFinite(v))
      throw new StrataError(
        `${where(table.file, table.lines[i], target)}: "${y[i]}" is not a finite number; a regression target must be one in every row (fix the value, or leave the cell empty to leave the row out)`,
      );
  });
  return values;
}

function checkTarget(table: RawTable, target: string, y: string[], labels: string[]): void {
  const at = where(table.file, undefined, target);
  if (labels.length < 2) {
    throw new StrataError(
      `${at}: the target has one class ("${labels[0]}") in all ${y.length} rows; a classifier needs at least two`,
    );
  }
  const numeric = labels.every((l) => !Number.isNaN(parseNumber(l)));
  const fractional = numeric && labels.some((l) => !Number.isInteger(parseNumber(l)));
  if (numeric && labels.length > 20 && (fractional || labels.length > 0.05 * y.length)) {
    throw new StrataError(
      `${at}: the target has ${labels.length} distinct numbers and looks continuous; as classes each value would be its own, so predict it as a number (leave out ${apiName("task", "classification")}) or bin it into classes first`,
      { params: ["task"] },
    );
  }
}
