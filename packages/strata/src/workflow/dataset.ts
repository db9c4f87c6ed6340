import { dropDuplicates, type RawTable, readCsv } from "../data/csv.js";
import { type Frame, takeAt } from "../data/frame.js";
import { type InferSchemaOptions, inferSchema, type TabularSchema } from "../data/schema.js";
import { type TabularDataset, toDataset } from "../data/tabular.js";
import { StrataError } from "../errors.js";
import { type HoldoutOptions, holdoutSplit } from "../split/holdout.js";

/** Rows of a dataset: features, labels, and groups when the data has them. */
export interface LabelledRows {
  readonly frame: Frame;
  readonly y: string[];
  readonly groups?: string[];
}

export interface LoadCsvOptions extends Omit<InferSchemaOptions, "target"> {
  /** The column to predict; by default the last column. */
  readonly target?: string;
  /** Keep the first row per value of this column (e.g. a track id listed under several playlists). */
  readonly dropDuplicates?: string;
  /** false: the file has no header row; its columns are c0, c1, … */
  readonly header?: boolean;
}

/** A CSV file read, typed and labelled, with what was decided on the way. */
export interface CsvDataset extends TabularDataset {
  readonly file: string;
  readonly schema: TabularSchema;
  /** Human-readable notes: duplicates removed, columns dropped and why, rows without a target. */
  readonly notes: string[];
}

/**
 * Reads a CSV file into a labelled dataset: parse, drop duplicates, infer the schema
 * (or follow `schema` when given, as when reading a test file for a trained model), type the columns.
 */
export function loadCsvDataset(file: string, options: LoadCsvOptions, schema?: TabularSchema): CsvDataset {
  let table: RawTable = readCsv(file, { header: options.header });
  const notes: string[] = [];
  if (options.dropDuplicates !== undefined) {
    const result = dropDuplicates(table, options.dropDuplicates);
    table = result.table;
    if (result.removed > 0) {
      notes.push(
        `kept the first row per ${options.dropDuplicates}: ${result.removed} duplicate rows removed, ${table.rows.length} left`,
      );
    }
  }
  const target = options.target ?? table.columns[table.columns.length - 1];
  if (!schema && options.target === undefined)
    notes.push(`no target given: predicting the last column, ${target}`);
  const used = schema ?? inferSchema(table, { ...options, target });
  if (!schema) for (const d of used.dropped) notes.push(`column ${d.name} not used: ${d.reason}`);
  const dataset = toDataset(table, used);
  if (dataset.missingTarget > 0)
    notes.push(`${dataset.missingTarget} rows without a ${used.target} value left out`);
  return { ...dataset, file, schema: used, notes };
}

/** The rows at `indices`. */
export function selectRows(data: LabelledRows, indices: ArrayLike<number>): LabelledRows {
  return {
    frame: data.frame.take(indices),
    y: takeAt(data.y, indices),
    groups: data.groups ? takeAt(data.groups, indices) : undefined,
  };
}

/**
 * A hold-out split of a dataset: grouped when it has groups (testSize is then the share of
 * groups), otherwise stratified by label.
 */
export function trainTestSplit(
  data: LabelledRows,
  options: Pick<HoldoutOptions, "testSize" | "seed">,
): { train: LabelledRows; test: LabelledRows } {
  const split = holdoutSplit(data.y.length, { ...options, stratify: data.y, groups: data.groups });
  return { train: selectRows(data, split.train), test: selectRows(data, split.test) };
}

/** Checks that a separate test set has only labels the training set has. */
export function checkTestLabels(test: CsvDataset, labels: readonly string[]): void {
  const known = new Set(labels);
  const unknown = [...new Set(test.y)].filter((l) => !known.has(l));
  if (unknown.length > 0) {
    throw new StrataError(
      `${test.file}: the test set has ${test.schema.target} values the training set lacks: ${unknown.join(", ")}`,
    );
  }
}
