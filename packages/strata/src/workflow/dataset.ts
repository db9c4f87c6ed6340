import { type CsvEncoding, dropDuplicates, type RawTable, readCsv } from "../data/csv.js";
import { describeDelimiter } from "../data/delimiter.js";
import { type Frame, takeAt } from "../data/frame.js";
import type { TaskOverride } from "../data/problem-type.js";
import { csvReadOptions, type InferSchemaOptions, inferSchema, type TabularSchema } from "../data/schema.js";
import { type TabularDataset, toDataset } from "../data/tabular.js";
import { lookalikeLabels, parseNumber } from "../data/values.js";
import { apiName, StrataError } from "../errors.js";
import { quantileBins } from "../metrics/regression.js";
import { type HoldoutOptions, holdoutSplit } from "../split/holdout.js";
import { requireClassesInTraining, requireTwoPerClass } from "../split/training-classes.js";

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
  /** The field delimiter; absent: the schema's, else sniffed from the file. */
  readonly delimiter?: string;
  /** How the bytes are text; absent: the schema's, else UTF-8. */
  readonly encoding?: CsvEncoding;
  /** Classification or regression, instead of what the target's values suggest (data/problem-type.ts). */
  readonly task?: TaskOverride;
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
 * With a schema, the file is read with its delimiter and encoding unless `options` give others.
 */
export function loadCsvDataset(file: string, options: LoadCsvOptions, schema?: TabularSchema): CsvDataset {
  let table: RawTable = readCsv(file, {
    header: options.header,
    ...(schema ? csvReadOptions(schema) : {}),
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
    ...(options.encoding === undefined ? {} : { encoding: options.encoding, encodingSource: "option" }),
  });
  const notes: string[] = [];
  if (table.delimiterDetected && table.delimiter !== undefined && table.delimiter !== ",")
    notes.push(
      `${file}: fields separated by ${describeDelimiter(table.delimiter)} (detected${schema ? "" : `; ${apiName("delimiter")} sets it`})`,
    );
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
  const dataset = toDataset(table, used, options.task);
  // The rule's reason, with the counts that decided it: the first thing a user should read.
  if (!schema) notes.unshift(dataset.problem.reason);
  if (dataset.missingTarget > 0)
    notes.push(`${dataset.missingTarget} rows without a ${used.target} value left out`);
  const alike = dataset.task === "regression" ? undefined : lookalikeNote(dataset.labels);
  if (alike) notes.push(`target ${used.target}: ${alike}`);
  return { ...dataset, file, schema: used, notes };
}

/**
 * `"Yes" and "yes" differ only in case; …`: distinct strings are distinct classes, but a user
 * who meant one class should hear of it before a model learns two. Undefined when no labels
 * look alike.
 */
export function lookalikeNote(labels: readonly string[]): string | undefined {
  const groups = lookalikeLabels(labels);
  if (groups.length === 0) return undefined;
  const names = (g: readonly string[]) =>
    `${g
      .slice(0, -1)
      .map((l) => `"${l}"`)
      .join(", ")} and "${g.at(-1)}"`;
  const parts = groups.map((g) =>
    Number.isNaN(parseNumber(g[0]))
      ? `${names(g)} differ only in case`
      : `${names(g)} are one number written ${g.length === 2 ? "two" : g.length} ways`,
  );
  return `${parts.join(", and ")}; they are kept as different classes (give them one spelling if they mean one class)`;
}

/** The rows at `indices`. */
export function selectRows(data: LabelledRows, indices: ArrayLike<number>): LabelledRows {
  return {
    frame: data.frame.take(indices),
    y: takeAt(data.y, indices),
    groups: data.groups ? takeAt(data.groups, indices) : undefined,
  };
}

export interface TrainTestSplitOptions extends Pick<HoldoutOptions, "testSize" | "seed"> {
  /** Where the labels come from, for messages, e.g. `data.csv, column "label"`. */
  readonly source?: string;
  /** How the user named the grouping, for messages, e.g. "--group artist" (the CLI's words). */
  readonly groupedBy?: string;
}

/**
 * A hold-out split of a dataset: grouped when it has groups (testSize is then the share of
 * groups), otherwise stratified by label. A StrataError, before any training, when the training
 * part would lack a class: a class of one row (stratified), or a class whose groups all fell in
 * the test part (grouped).
 */
export function trainTestSplit(
  data: LabelledRows,
  options: TrainTestSplitOptions & { readonly values?: ArrayLike<number> },
): { train: LabelledRows; test: LabelledRows } {
  if (options.values) return regressionTrainTestSplit(data, options.values, options);
  const grouped = data.groups !== undefined;
  const ctx = {
    what: grouped ? `the hold-out split (seed ${options.seed})` : "a stratified hold-out split",
    source: options.source,
    groups: data.groups,
    groupedBy: options.groupedBy,
  };
  if (!grouped) requireTwoPerClass(data.y, ctx);
  const split = holdoutSplit(data.y.length, {
    testSize: options.testSize,
    seed: options.seed,
    stratify: data.y,
    groups: data.groups,
  });
  requireClassesInTraining(data.y, [split], ctx);
  return { train: selectRows(data, split.train), test: selectRows(data, split.test) };
}

/** Checks that a separate test set has only labels the training set has. */
export function checkTestLabels(test: CsvDataset, labels: readonly string[]): void {
  const known = new Set(labels);
  const unknown = [...new Set(test.y)].filter((l) => !known.has(l));
  if (unknown.length > 0) {
    // "yes" beside a training "Yes": say so, it is the likely cause.
    const alike = lookalikeLabels([...labels, ...unknown]).filter((g) => g.some((l) => known.has(l)));
    const hint = alike.length
      ? ` (the training set has ${alike
          .map((g) =>
            g
              .filter((l) => known.has(l))
              .map((l) => `"${l}"`)
              .join(", "),
          )
          .join("; ")})`
      : "";
    throw new StrataError(
      `${test.file}: the test set has ${test.schema.target} values the training set lacks: ${unknown.join(", ")}${hint}`,
    );
  }
}

/** Quantile bins a numeric target's hold-out split is stratified by (as the regression folds use). */
const REGRESSION_BINS = 10;

/**
 * A regression target's hold-out split: grouped when the data has groups, otherwise stratified by
 * the target's quantile bins, so that the test part's targets spread as the whole's do.
 */
function regressionTrainTestSplit(
  data: LabelledRows,
  values: ArrayLike<number>,
  options: TrainTestSplitOptions,
): { train: LabelledRows; test: LabelledRows } {
  const bins = Math.max(
    1,
    Math.min(REGRESSION_BINS, Math.floor(values.length * Math.min(options.testSize, 1 - options.testSize))),
  );
  const split = holdoutSplit(data.y.length, {
    testSize: options.testSize,
    seed: options.seed,
    ...(data.groups ? { groups: data.groups } : { stratify: quantileBins(values, bins) }),
  });
  return { train: selectRows(data, split.train), test: selectRows(data, split.test) };
}
