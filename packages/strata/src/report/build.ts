import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Task } from "../data/tabular.js";
import type { FitSummary, Params } from "../estimators/estimator.js";
import type { Matrix } from "../util/matrix.js";
import type { CrossValidation, FoldJson } from "../workflow/cross-validate.js";
import type { FitJson } from "../workflow/fit-and-score.js";
import { type MetricsJson, metricsJson } from "../workflow/results.js";
import { rocPoints } from "./roc.js";
import { misses, thumbnails } from "./thumbnails.js";
import type {
  ClassCount,
  CurveSeries,
  DatasetSummary,
  MemberAccuracy,
  ReportInput,
  RunReport,
  Timing,
} from "./types.js";

/*
 * Gathers a report's input from a run: class counts, ROC points, learning-curve series, and
 * thumbnails of misclassified images (the one step that reads files). renderReport draws it.
 */

/** Misclassified images shown per model. */
const MAX_THUMBNAILS = 24;

/** Labels (and, for images, the files) of a part of the data. */
export interface Examples {
  /** Image files, or anything else for tables (only image files are read, for thumbnails). */
  readonly x?: unknown;
  readonly y: readonly string[];
}

/** A fitted model's predictions on its test examples (what fitAndScore returns). */
export interface ScoredFit {
  /** Rows: the kept test examples, in `kept` order; columns: classes. */
  readonly proba: Matrix;
  readonly kept: readonly number[];
  readonly summary: FitSummary;
}

/** The --json keys a report reads beyond FitJson (a CSV fit has them all, an image fit fewer). */
interface ExtraJson {
  readonly data?: unknown;
  readonly target?: unknown;
  readonly split?: unknown;
  readonly features?: unknown;
  readonly dropped?: unknown;
  readonly notes?: unknown;
  /** Ensembles: [{ name, accuracy }] of each member on the same test split. */
  readonly members?: unknown;
}

type RunJson = FitJson & ExtraJson;

export interface FitReportSource {
  readonly title: string;
  readonly json: RunJson;
  readonly result: ScoredFit;
  readonly train?: Examples;
  readonly test?: Examples;
  /** How the data was split, when the json has no `split`. */
  readonly split?: Readonly<Record<string, unknown>>;
  /** Seconds the whole command took. */
  readonly elapsedSeconds?: number;
}

/** The report input of one fit scored on a test split. */
export async function fitReportInput(src: FitReportSource): Promise<ReportInput> {
  const { json } = src;
  const kind = isFileList(src.test?.x) ? "images" : "table";
  const run = await scoredRun(json, src.result, src.test, `the test split: ${json.nTest} ${unit(kind)}`);
  return {
    title: src.title,
    command: "fit",
    generatedAt: new Date().toISOString(),
    dataset: datasetSummary(json, kind, src.split, classCounts(json.labels, src.train?.y, src.test?.y)),
    runs: [run],
    backend: json.backend,
    timings: timings(
      [
        ["fit", json.fitSeconds],
        // Fits in phases (transfer learning: features, head, fine-tuning) say what each took.
        ...(src.result.summary.phases ?? []).map((p): [string, number] => [`fit: ${p.name}`, p.seconds]),
      ],
      src.elapsedSeconds,
    ),
  };
}

export interface CompareReportSource {
  readonly title: string;
  /** Shared --json keys (data, split, …). */
  readonly json: ExtraJson;
  readonly runs: readonly { readonly json: RunJson; readonly result: ScoredFit }[];
  readonly train: Examples;
  readonly test: Examples;
  readonly elapsedSeconds?: number;
}

/** The report input of several models fitted and scored on one split. */
export async function compareReportInput(src: CompareReportSource): Promise<ReportInput> {
  const first = src.runs[0].json;
  const kind = isFileList(src.test.x) ? "images" : "table";
  const runs = await Promise.all(
    src.runs.map((r) =>
      scoredRun(r.json, r.result, src.test, `the test split: ${r.json.nTest} ${unit(kind)}`, 12),
    ),
  );
  return {
    title: src.title,
    command: "compare",
    generatedAt: new Date().toISOString(),
    dataset: datasetSummary(
      { ...first, ...src.json },
      kind,
      undefined,
      classCounts(first.labels, src.train.y, src.test.y),
    ),
    runs,
    backend: first.backend,
    timings: timings(
      src.runs.map((r) => [`fit ${r.json.model}`, r.json.fitSeconds]),
      src.elapsedSeconds,
    ),
  };
}

export interface CvReportSource {
  readonly title: string;
  /** The cv --json object (crossValidationJson plus model, params, data, split, …). */
  readonly json: ExtraJson & {
    readonly task: Task;
    readonly folds: readonly FoldJson[];
    readonly labels: string[];
  };
  readonly cv: CrossValidation;
  readonly data: Examples;
  readonly model: string;
  readonly params: Params;
  readonly backend: string;
  readonly elapsedSeconds?: number;
}

/** The report input of a cross-validation: pooled out-of-fold results plus each fold's figures. */
export async function cvReportInput(src: CvReportSource): Promise<ReportInput> {
  const { cv, json } = src;
  const kind = isFileList(src.data.x) ? "images" : "table";
  const k = cv.classes.length;
  const kept = Array.from({ length: cv.outOfFold.rows }, (_, r) => r).filter(
    (r) => !Number.isNaN(cv.outOfFold.data[r * k]),
  );
  const proba: Matrix = {
    rows: kept.length,
    cols: k,
    data: Float32Array.from(kept.flatMap((r) => Array.from(cv.outOfFold.data.subarray(r * k, (r + 1) * k)))),
  };
  const metrics = metricsJson(cv.pooled, json.task);
  const base: RunReport = {
    name: src.model,
    evaluatedOn: `every ${kind === "images" ? "image" : "row"}'s out-of-fold prediction, pooled over ${cv.folds.length} folds (${kept.length} ${unit(kind)}); the folds section has each fold's figures`,
    metrics,
    curves: cv.folds.map((f) => ({
      run: `fold ${f.fold}`,
      history: f.summary.history ?? [],
      bestEpoch: f.summary.bestEpoch,
    })),
    roc: rocOf(metrics, proba, kept, src.data.y),
    params: src.params,
    facts: [
      ["folds", String(cv.folds.length)],
      ["fit per fold", `${mean(cv.folds.map((f) => f.summary.seconds)).toFixed(1)} s`],
    ],
  };
  const run: RunReport = isFileList(src.data.x)
    ? { ...base, misclassified: await misclassified(src.data.x, src.data.y, metrics.labels, proba, kept) }
    : base;
  return {
    title: src.title,
    command: "cv",
    generatedAt: new Date().toISOString(),
    dataset: datasetSummary(
      json,
      kind,
      undefined,
      classCounts(json.labels, undefined, undefined, src.data.y),
    ),
    runs: [run],
    folds: json.folds.map((f) => ({ ...f })),
    backend: src.backend,
    timings: timings(
      cv.folds.map((f) => [`fit fold ${f.fold}`, f.summary.seconds]),
      src.elapsedSeconds,
    ),
  };
}

async function scoredRun(
  json: RunJson,
  result: ScoredFit,
  test: Examples | undefined,
  evaluatedOn: string,
  maxThumbnails = MAX_THUMBNAILS,
): Promise<RunReport> {
  const facts: [string, string][] = [];
  if (json.parameters !== undefined) facts.push(["parameters", json.parameters.toLocaleString("en-US")]);
  if (json.epochs) facts.push(["epochs run", String(json.epochs)], ["epoch kept", String(json.bestEpoch)]);
  facts.push(["fit", `${json.fitSeconds.toFixed(1)} s`]);
  const run: RunReport = {
    name: json.model,
    evaluatedOn,
    metrics: json,
    curves: curveSeries(result.summary),
    roc: test ? rocOf(json, result.proba, result.kept, test.y) : undefined,
    members: membersOf(json.members),
    params: json.params,
    facts,
  };
  if (!test || !isFileList(test.x)) return run;
  return {
    ...run,
    misclassified: await misclassified(test.x, test.y, json.labels, result.proba, result.kept, maxThumbnails),
  };
}

async function misclassified(
  files: readonly string[],
  y: readonly string[],
  classes: readonly string[],
  proba: Matrix,
  kept: readonly number[],
  limit = MAX_THUMBNAILS,
): Promise<RunReport["misclassified"]> {
  const wrong = misses(files, y, classes, proba, kept);
  return { shown: await thumbnails(wrong.slice(0, limit)), total: wrong.length };
}

/** A fit's own history, or else its members' (an ensemble's), as learning-curve series. */
function curveSeries(summary: FitSummary): CurveSeries[] {
  if (summary.history?.length) return [{ run: "", history: summary.history, bestEpoch: summary.bestEpoch }];
  return (summary.members ?? [])
    .filter((m) => m.summary.history?.length)
    .map((m) => ({ run: m.name, history: m.summary.history ?? [], bestEpoch: m.summary.bestEpoch }));
}

function rocOf(metrics: MetricsJson, proba: Matrix, kept: readonly number[], y: readonly string[]) {
  if (metrics.task !== "binary" || proba.cols !== 2) return undefined;
  const positive = kept.map((i) => y[i] === metrics.labels[1]);
  return rocPoints(
    positive,
    Float32Array.from(kept, (_, r) => proba.data[2 * r + 1]),
  );
}

/** The --json `members` of an ensemble ([{ name, accuracy }]), when well formed. */
function membersOf(value: unknown): MemberAccuracy[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const members = value.filter(
    (m): m is MemberAccuracy =>
      typeof m === "object" && m !== null && typeof m.name === "string" && typeof m.accuracy === "number",
  );
  return members.length ? members.map((m) => ({ name: m.name, accuracy: m.accuracy })) : undefined;
}

function datasetSummary(
  json: ExtraJson & { readonly task: Task },
  kind: "table" | "images",
  split: Readonly<Record<string, unknown>> | undefined,
  classes: ClassCount[],
): DatasetSummary {
  const source = String(json.data ?? "");
  const s = (json.split as Record<string, unknown> | undefined) ?? imageFolderSplit(source, kind, split);
  return {
    source,
    kind,
    task: json.task,
    rows: classes.reduce((n, c) => n + c.total, 0),
    target: typeof json.target === "string" ? json.target : undefined,
    classes,
    split: { text: splitText(s, kind), details: s },
    group: typeof s?.group === "string" ? s.group : undefined,
    features: strings(json.features),
    dropped: Array.isArray(json.dropped)
      ? json.dropped.filter(
          (d): d is { name: string; reason: string } =>
            typeof d?.name === "string" && typeof d?.reason === "string",
        )
      : undefined,
    notes: strings(json.notes),
  };
}

/** An image folder's split when the run did not say: its own test/ part if it has one, else `holdout`. */
function imageFolderSplit(
  source: string,
  kind: "table" | "images",
  holdout: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (kind === "images" && source && existsSync(join(source, "test"))) return { kind: "folder" };
  return holdout;
}

/** The split in words. */
export function splitText(
  split: Readonly<Record<string, unknown>> | undefined,
  kind: "table" | "images",
): string {
  const rows = unit(kind);
  const share = (v: unknown) => (typeof v === "number" ? `${Math.round(v * 100)}%` : "a share");
  const seed = split?.seed === undefined ? "" : ` (seed ${split.seed})`;
  switch (split?.kind) {
    case "given":
      return `a separate test file: ${String(split.test)}`;
    case "grouped":
      return `grouped hold-out by ${String(split.group)}: ${share(split.testSize)} of the groups test, the rest train${seed}`;
    case "stratified":
      return `stratified hold-out: ${share(split.testSize)} of the ${rows} of each class test${seed}`;
    case "folder":
      return "the folder's own train/ and test/ parts";
    case "grouped-kfold":
      return `${String(split.folds)}-fold cross-validation grouped by ${String(split.group)}${seed}`;
    case "stratified-kfold":
      return `${String(split.folds)}-fold stratified cross-validation${seed}`;
    default:
      return split ? JSON.stringify(split) : "not recorded";
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

function timings(fits: readonly [string, number][], elapsed: number | undefined): Timing[] {
  return [
    ...fits.map(([label, seconds]) => ({ label, seconds })),
    ...(elapsed === undefined ? [] : [{ label: "whole command", seconds: elapsed }]),
  ];
}

function isFileList(x: unknown): x is readonly string[] {
  return Array.isArray(x) && x.every((v) => typeof v === "string");
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined;
}

function unit(kind: "table" | "images"): string {
  return kind === "images" ? "images" : "rows";
}

function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
