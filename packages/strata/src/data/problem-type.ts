import { apiName, StrataError } from "../errors.js";
import type { Column } from "./frame.js";
import { RowError } from "./row-error.js";
import { isMissing, parseNumber, sortLabels } from "./values.js";

/*
 * Which problem a target column poses, read from its values (issue 24). The rule is AutoGluon's
 * `infer_problem_type` (autogluon.core.utils) with one more limit for whole numbers:
 *
 *   Missing cells are left out (AutoGluon drops NA too); a column with none left, or with one
 *   value in every row, is refused: there is nothing to learn.
 *   1. Two distinct values → binary (whatever they are: 0/1, yes/no, 1.5/2.5).
 *   2. A value that is not a number → multi-class, one class per label.
 *   3. Numbers with a fraction (any value not a whole number) → regression.
 *   4. Whole numbers → regression when they have more than 20 distinct values, or when the distinct
 *      values are more than AutoGluon's share of the rows (10% of up to 1,000 rows, 5% of more);
 *      otherwise multi-class, one class per value. Whole numbers with at most 20 distinct values
 *      are `ambiguous` (grades, counts, ratings): either reading is reasonable, and the reason
 *      names the option that chooses the other.
 *
 * Why the limit of 20 beside AutoGluon's share: AutoGluon's share alone (with its cap of 1,000
 * classes) calls Spotify's track_popularity (101 distinct whole numbers, 0 to 100, in 32,833
 * rows: 0.3%) a 101-class problem; a score from 0 to 100 is a quantity, not 101 names, and a
 * classifier would learn nothing of 57 being close to 58. 20 is the limit strata already used
 * for "looks continuous" (data/tabular.ts). Red wine quality (6 grades in 1,599 rows) stays
 * multi-class under both, as AutoGluon decides it, with the note saying how to regress it.
 */

/** The three problems strata fits. */
export type ProblemTask = "binary" | "multiclass" | "regression";

/** What the user may ask for instead of the inferred task (the CLI's `--task`). */
export type TaskOverride = "classification" | "regression";

export interface ProblemType {
  readonly task: ProblemTask;
  /** One sentence with the counts that decided it (and, when a choice was made, how to choose the other). */
  readonly reason: string;
  /** True when the values read either way (a few whole numbers): the reason names the option for the other. */
  readonly ambiguous: boolean;
  /** Rows with a value (missing cells left out). */
  readonly rows: number;
  /** Distinct values among them. */
  readonly distinct: number;
}

export interface ProblemTypeOptions {
  /** The target's name, for the reason and errors (default "the target"). */
  readonly column?: string;
  /** The task asked for: classification (binary or multi-class by the count) or regression. */
  readonly task?: TaskOverride;
}

/** Most distinct whole numbers read as classes. */
export const MAX_INTEGER_CLASSES = 20;
/** AutoGluon's LARGE_DATA_THRESHOLD: tables above this many rows use the smaller share. */
const LARGE_TABLE_ROWS = 1000;
/** AutoGluon's REGRESS_THRESHOLD_SMALL_DATA and _LARGE_DATA: most distinct values per row for classes. */
const SMALL_TABLE_SHARE = 0.1;
const LARGE_TABLE_SHARE = 0.05;

/** One present cell: its row (0-based, in the values given), its text and its number (NaN: not one). */
interface Cell {
  readonly row: number;
  readonly text: string;
  readonly number: number;
}

/**
 * The problem a target poses (see the rule above), from its cells as read (strings, null for
 * missing; "NA", "" and the like count as missing too) or from a Frame column. `task` overrides
 * the rule; regression on a target holding a value that is not a number is a RowError naming the
 * column and the row.
 */
export function inferProblemType(
  values: readonly (string | null)[] | Column,
  options: ProblemTypeOptions = {},
): ProblemType {
  const name = options.column ?? "the target";
  const cells = presentCells(values);
  if (cells.length === 0)
    throw new StrataError(`${name}: every value is missing; there is nothing to predict`);
  const firstText = cells.find((c) => Number.isNaN(c.number));
  const numeric = firstText === undefined;
  const counts = valueCounts(cells, numeric);
  const distinct = counts.size;
  const facts = { rows: cells.length, distinct };
  if (distinct === 1)
    throw new StrataError(
      `${name}: every one of the ${cells.length} rows holds the same value ("${cells[0].text}"); there is nothing to predict`,
    );

  if (options.task === "regression") {
    if (firstText !== undefined)
      throw new RowError(
        firstText.row,
        `"${firstText.text}" is not a number; ${apiName("task", "regression")} needs a number in every row (leave the option out to classify)`,
        options.column,
      );
    return {
      task: "regression",
      reason: `${name}: regression, as asked (${distinct} distinct numbers in ${cells.length} rows)`,
      ambiguous: false,
      ...facts,
    };
  }
  if (options.task === "classification" || distinct === 2) {
    const task = distinct === 2 ? "binary" : "multiclass";
    const how = options.task === "classification" ? ", as asked" : "";
    const note =
      distinct === 2 && numeric ? `; give ${apiName("task", "regression")} to predict it as a number` : "";
    return {
      task,
      reason: `${name} holds ${distinct} distinct values (${showCounts(counts)}): ${task === "binary" ? "binary" : "multi-class"}${how}${options.task === undefined ? note : ""}`,
      ambiguous: false,
      ...facts,
    };
  }
  if (!numeric)
    return {
      task: "multiclass",
      reason: `${name} holds ${distinct} distinct labels, not all numbers (e.g. "${firstText.text}" in row ${firstText.row + 1}): multi-class`,
      ambiguous: false,
      ...facts,
    };
  const toClasses = `give ${apiName("task", "classification")} to treat each value as a class`;
  const fraction = cells.find((c) => !Number.isInteger(c.number));
  if (fraction !== undefined)
    return {
      task: "regression",
      reason: `${name} holds numbers with fractions (e.g. ${fraction.text} in row ${fraction.row + 1}), ${distinct} distinct values: regression; ${toClasses}`,
      ambiguous: false,
      ...facts,
    };
  return wholeNumbers(name, counts, facts, toClasses);
}

/** Rule 4: whole numbers, by their count of distinct values and its share of the rows. */
function wholeNumbers(
  name: string,
  counts: ReadonlyMap<string, number>,
  facts: { rows: number; distinct: number },
  toClasses: string,
): ProblemType {
  const { rows, distinct } = facts;
  const ambiguous = distinct <= MAX_INTEGER_CLASSES;
  const share = rows > LARGE_TABLE_ROWS ? LARGE_TABLE_SHARE : SMALL_TABLE_SHARE;
  const tableSize =
    rows > LARGE_TABLE_ROWS
      ? `of more than ${LARGE_TABLE_ROWS.toLocaleString("en-US")} rows`
      : `of up to ${LARGE_TABLE_ROWS.toLocaleString("en-US")} rows`;
  const ofRows = `${percent(distinct / rows)} of ${rows.toLocaleString("en-US")} rows`;
  if (!ambiguous)
    return {
      task: "regression",
      reason: `${name} holds whole numbers with ${distinct} distinct values (more than ${MAX_INTEGER_CLASSES}): regression; ${toClasses}`,
      ambiguous,
      ...facts,
    };
  if (distinct / rows > share)
    return {
      task: "regression",
      reason: `${name} holds whole numbers with ${distinct} distinct values, ${ofRows} (more than ${percent(share)}, the most for classes in a table ${tableSize}): regression; ${toClasses}`,
      ambiguous,
      ...facts,
    };
  return {
    task: "multiclass",
    reason: `${name} holds whole numbers with ${distinct} distinct values (${showCounts(counts)}; at most ${MAX_INTEGER_CLASSES}, and ${ofRows}, at most ${percent(share)}): multi-class, one class per value; give ${apiName("task", "regression")} to predict them as numbers`,
    ambiguous,
    ...facts,
  };
}

function presentCells(values: readonly (string | null)[] | Column): Cell[] {
  const cells: Cell[] = [];
  if (isColumn(values) && values.kind === "numeric") {
    values.values.forEach((v, row) => {
      if (!Number.isNaN(v)) cells.push({ row, text: String(v), number: v });
    });
    return cells;
  }
  const texts = isColumn(values) ? values.values : values;
  texts.forEach((v, row) => {
    if (v === null || isMissing(v)) return;
    const text = v.trim();
    cells.push({ row, text, number: parseNumber(text) });
  });
  return cells;
}

function isColumn(values: readonly (string | null)[] | Column): values is Column {
  return !Array.isArray(values);
}

/** Rows per distinct value: numbers by value ("5" and "5.0" are one), labels by their text. */
function valueCounts(cells: readonly Cell[], numeric: boolean): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of cells) {
    const key = numeric ? String(c.number) : c.text;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** "0: 500 rows, 1: 268 rows", the values in order; the first 8 and a count of the rest. */
function showCounts(counts: ReadonlyMap<string, number>): string {
  const sorted = sortLabels(counts.keys());
  const shown = sorted.slice(0, 8).map((v) => `${v}: ${counts.get(v)} rows`);
  if (sorted.length > 8) shown.push(`${sorted.length - 8} more`);
  return shown.join(", ");
}

function percent(share: number): string {
  const p = share * 100;
  return `${p < 1 ? p.toFixed(1) : Math.round(p)}%`;
}
