import { join, relative } from "node:path";
import type { Command } from "commander";
import type { Frame } from "../data/frame.js";
import type { Task } from "../data/tabular.js";
import { where } from "../errors.js";
import type { Classifier } from "../estimators/estimator.js";
import { scanImageFolder } from "../images/folder.js";
import { cvReportInput } from "../report/build.js";
import { renderReport } from "../report/html.js";
import { writeReportFiles } from "../report/write.js";
import { kFold } from "../split/kfold.js";
import { requireClassesInTraining } from "../split/training-classes.js";
import type { Split } from "../split/types.js";
import type { Params } from "../util/params.js";
import { crossValidate, crossValidationJson } from "../workflow/cross-validate.js";
import { loadCsvDataset } from "../workflow/dataset.js";
import { allImages } from "../workflow/images.js";
import type { Labelled } from "../workflow/labelled.js";
import { REPORT_HTML } from "../workflow/model-dir.js";
import { foldNote, foldProgress, printFolds } from "./cv-folds.js";
import { ensembleFitOptions } from "./ensemble-run.js";
import { imageReadOptions, noteLookalikeClasses, warnSkipped } from "./images.js";
import { imageEstimator, isEnsembleTarget, modelName, modelTarget, tableEstimator } from "./model-choice.js";
import {
  DATA_OPTIONS,
  ENSEMBLE_OPTIONS,
  type ModelTarget,
  PARAM_OPTIONS,
  paramsFromOptions,
} from "./model-options.js";
import { type DataOptions, loadOptions, type OutputOptions } from "./options.js";
import { makeOutput, type Output } from "./output.js";

export interface CvCommandOptions extends DataOptions, OutputOptions {
  model?: string;
  /** Folder for report.html and metrics.json. */
  out?: string;
  seed: number;
  folds: number;
  cache?: string;
  memoryCache?: number;
  strict?: boolean;
  jobs?: number;
}

/** What cross-validation needs of the data, whatever its kind. */
interface CvData<X> {
  readonly template: Classifier<X>;
  readonly data: Labelled<X>;
  readonly classes: readonly string[];
  readonly task: Task;
  readonly splits: readonly Split[];
  readonly fitOptions: Record<string, unknown>;
  /** Extra --json keys. */
  readonly json: Record<string, unknown>;
}

/**
 * strata cv: k-fold cross-validation (stratified, or grouped with --group) of a CSV file, or
 * (stratified, over train/ and test/ together) of an image folder. Each fold fits a fresh clone
 * of the same unfitted model.
 */
export async function cvCommand(file: string, o: CvCommandOptions, cmd: Command): Promise<void> {
  const out = makeOutput(o);
  const target = modelTarget(file, o.model);
  const params = {
    seed: o.seed,
    ...paramsFromOptions(cmd, { ...o }, target, [...PARAM_OPTIONS, ...ENSEMBLE_OPTIONS, ...DATA_OPTIONS]),
  };
  // An ensemble's members get what a single model's fit would (how images are read here).
  const adapt = <X>(run: CvData<X>): CvData<X> =>
    isEnsembleTarget(target)
      ? { ...run, fitOptions: { ...ensembleFitOptions(o, out, run.fitOptions as Params) } }
      : run;
  if (target.startsWith("table:"))
    await runCv(file, o, target, adapt(tableCv(file, o, tableEstimator(params, target), out)), out);
  else await runCv(file, o, target, adapt(imageCv(file, o, imageEstimator(target, params), out)), out);
}

async function runCv<X extends Frame | readonly string[]>(
  file: string,
  o: CvCommandOptions,
  target: ModelTarget,
  run: CvData<X>,
  out: Output,
): Promise<void> {
  const cv = await crossValidate(run.template, run.data, {
    splits: run.splits,
    classes: run.classes,
    fitOptions: run.fitOptions,
    listener: foldProgress(out, o.folds),
    onFold: (fold) => {
      foldNote(out, fold, o.folds);
      warnSkipped(out, fold.skipped, "unreadable test images left out");
    },
  });
  const json = crossValidationJson(cv, run.task);
  const full = {
    ...json,
    backend: cv.backend,
    model: modelName(target),
    params: run.template.getParams(),
    data: file,
    ...run.json,
  };
  if (o.out) {
    const report = await cvReportInput({
      title: `strata: ${o.folds}-fold cross-validation of ${full.model} on ${file}`,
      json: full,
      cv,
      data: run.data,
      model: full.model,
      params: full.params,
      backend: full.backend,
      elapsedSeconds: process.uptime(),
    });
    await writeReportFiles(o.out, { ...full, out: o.out }, await renderReport(report));
  }
  if (out.json) {
    out.emitJson(o.out ? { ...full, out: o.out } : full);
    return;
  }
  printFolds(out, cv.pooled, { ...json, backend: cv.backend }, o.folds);
  if (o.out) out.result(`report: ${join(relative(process.cwd(), o.out) || ".", REPORT_HTML)}`);
}

function tableCv(file: string, o: CvCommandOptions, template: Classifier<Frame>, out: Output): CvData<Frame> {
  const data = loadCsvDataset(file, loadOptions(o));
  for (const n of data.notes) out.note(`note: ${n}`);
  const splits = kFold(data.y.length, { k: o.folds, seed: o.seed, stratify: data.y, groups: data.groups });
  requireClassesInTraining(data.y, splits, {
    what: `${o.folds}-fold cross-validation`,
    source: where(file, undefined, data.schema.target),
    groups: data.groups,
    groupedBy: o.group === undefined ? undefined : `--group ${o.group}`,
  });
  out.note(
    `${file}: ${data.y.length} rows, ${o.folds}-fold ${data.groups ? `grouped by ${o.group}` : "stratified"} cross-validation (seed ${o.seed})`,
  );
  return {
    template,
    data: { x: data.frame, y: data.y, groups: data.groups },
    classes: data.labels,
    task: data.task,
    splits,
    fitOptions: {},
    json: {
      target: data.schema.target,
      split: {
        kind: data.groups ? "grouped-kfold" : "stratified-kfold",
        group: o.group,
        folds: o.folds,
        seed: o.seed,
      },
      features: data.schema.features.map((f) => f.name),
      dropped: data.schema.dropped,
      notes: data.notes,
    },
  };
}

function imageCv(
  dir: string,
  o: CvCommandOptions,
  template: Classifier<readonly string[]>,
  out: Output,
): CvData<readonly string[]> {
  const folder = scanImageFolder(dir, { strict: o.strict });
  warnSkipped(out, folder.skipped, "files skipped");
  noteLookalikeClasses(out, dir, folder.classes);
  const data = allImages(folder);
  const splits = kFold(data.y.length, { k: o.folds, seed: o.seed, stratify: data.y });
  requireClassesInTraining(data.y, splits, {
    what: `${o.folds}-fold cross-validation`,
    source: dir,
    unit: "image",
  });
  out.note(
    `${dir}: ${folder.classes.length} classes, ${data.y.length} images${folder.test ? " (train/ and test/ together)" : ""}, ` +
      `${o.folds}-fold stratified cross-validation (seed ${o.seed})`,
  );
  return {
    template,
    data,
    classes: folder.classes,
    task: folder.classes.length === 2 ? "binary" : "multiclass",
    splits,
    fitOptions: imageReadOptions({ ...o, testSize: 0 }),
    json: { split: { kind: "stratified-kfold", folds: o.folds, seed: o.seed } },
  };
}
