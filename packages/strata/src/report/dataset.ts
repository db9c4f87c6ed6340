import type { Task } from "../data/tabular.js";
import type { DataRecord, SplitRecord } from "../workflow/run-record.js";
import type { ClassCount, DatasetSummary } from "./types.js";

/** The report's Data section: what was read, how it was split, how many of each class. */
export function datasetSummary(
  data: DataRecord,
  split: SplitRecord,
  task: Task,
  classes: ClassCount[],
): DatasetSummary {
  return {
    source: data.source,
    kind: data.kind,
    task,
    rows: classes.reduce((n, c) => n + c.total, 0),
    classes,
    split: { text: splitText(split, data.kind), details: split },
    group: split.kind === "grouped" || split.kind === "grouped-kfold" ? split.group : undefined,
    ...(data.kind === "table"
      ? { target: data.target, features: data.features, dropped: data.dropped, notes: data.notes }
      : {}),
  };
}

/** The split in words. */
export function splitText(split: SplitRecord | undefined, kind: "table" | "images"): string {
  if (split === undefined) return "not recorded";
  const share = (v: number) => `${Math.round(v * 100)}%`;
  switch (split.kind) {
    case "given":
      return `a separate test file: ${split.test}`;
    case "grouped":
      return `grouped hold-out by ${split.group}: ${share(split.testSize)} of the groups test, the rest train (seed ${split.seed})`;
    case "stratified":
      return `stratified hold-out: ${share(split.testSize)} of the ${unit(kind)} of each class test (seed ${split.seed})`;
    case "folder":
      return "the folder's own train/ and test/ parts";
    case "grouped-kfold":
      return `${split.folds}-fold cross-validation grouped by ${split.group} (seed ${split.seed})`;
    case "stratified-kfold":
      return `${split.folds}-fold stratified cross-validation (seed ${split.seed})`;
  }
}

/** Each class's count in the training and test parts (or in all the data). */
export function classCounts(
  labels: readonly string[],
  train?: readonly string[],
  test?: readonly string[],
  all?: readonly string[],
): ClassCount[] {
  const count = (y: readonly string[] | undefined) => {
    const m = new Map<string, number>();
    for (const v of y ?? []) m.set(v, (m.get(v) ?? 0) + 1);
    return m;
  };
  const [tr, te, al] = [count(train), count(test), count(all)];
  return labels.map((label) =>
    all
      ? { label, total: al.get(label) ?? 0 }
      : {
          label,
          train: tr.get(label) ?? 0,
          test: te.get(label) ?? 0,
          total: (tr.get(label) ?? 0) + (te.get(label) ?? 0),
        },
  );
}

/** What the examples are called: rows of a table, or images. */
export function unit(kind: "table" | "images"): string {
  return kind === "images" ? "images" : "rows";
}
