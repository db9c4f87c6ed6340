import type { CsvEncoding } from "../data/csv.js";
import type { TaskOverride } from "../data/problem-type.js";
import { where } from "../errors.js";
import { type CsvDataset, type LabelledRows, loadCsvDataset, trainTestSplit } from "../workflow/dataset.js";
import type { DataRecord, HoldoutRecord, KFoldRecord } from "../workflow/run-record.js";
import { cliNote } from "./flag-names.js";

/*
 * What fit, cv and compare on a CSV file share: the hold-out split the command line asks for
 * (grouped by --group; stratified by class, or by a numeric target's quantiles) and the records
 * of how the data was read and split.
 */

/** The options that say how a CSV file is split. */
export interface TableSplitOptions {
  readonly testSize: number;
  readonly seed: number;
  readonly group?: string;
}

/** The hold-out split of a CSV dataset, and its record for --json and the report. */
export function tableHoldout(
  file: string,
  o: TableSplitOptions,
  data: CsvDataset,
): { train: LabelledRows; test: LabelledRows; split: HoldoutRecord } {
  const { train, test } = trainTestSplit(data, {
    testSize: o.testSize,
    seed: o.seed,
    ...(data.values ? { values: data.values } : {}),
    source: where(file, undefined, data.schema.target),
    groupedBy: o.group === undefined ? undefined : `--group ${o.group}`,
  });
  const group = data.schema.group;
  return {
    train,
    test,
    split:
      group === undefined
        ? { kind: "stratified", testSize: o.testSize, seed: o.seed }
        : { kind: "grouped", group, testSize: o.testSize, seed: o.seed },
  };
}

/** How k folds of a CSV dataset were made: grouped by its group column, else stratified. */
export function kFoldRecord(data: CsvDataset, folds: number, seed: number): KFoldRecord {
  const group = data.schema.group;
  return group === undefined
    ? { kind: "stratified-kfold", folds, seed }
    : { kind: "grouped-kfold", group, folds, seed };
}

/** What was read of a CSV file (its notes as the CLI prints them), for the run's record. */
export function tableDataRecord(file: string, data: CsvDataset, notes: readonly string[]): DataRecord {
  return {
    kind: "table",
    source: file,
    target: data.schema.target,
    features: data.schema.features.map((f) => f.name),
    dropped: data.schema.dropped.map((d) => ({ ...d, reason: cliNote(d.reason) })),
    notes,
  };
}

/**
 * fit's --test file, read as the training file was (its schema; --delimiter or --encoding, when
 * given, for both), its target taken as the training target's task.
 */
export function readTestFile(
  o: { test: string; header: boolean; delimiter?: string; encoding?: CsvEncoding },
  data: CsvDataset,
  task: TaskOverride,
): CsvDataset {
  return loadCsvDataset(
    o.test,
    { header: o.header, delimiter: o.delimiter, encoding: o.encoding ?? data.schema.encoding, task },
    data.schema,
  );
}
