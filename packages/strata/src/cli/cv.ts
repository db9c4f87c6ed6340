import type { Command } from "commander";
import type { Frame } from "../data/frame.js";
import type { Task } from "../data/tabular.js";
import { where } from "../errors.js";
import type { Classifier } from "../estimators/estimator.js";
import { scanImageFolder } from "../images/folder.js";
import { distributedCommand } from "../parallel/distributed-cli.js";
import { isWriterEnv } from "../parallel/distributed-env.js";
import { kFold } from "../split/kfold.js";
import { requireClassesInTraining } from "../split/training-classes.js";
import type { Split } from "../split/types.js";
import type { Params } from "../util/params.js";
import { crossValidate } from "../workflow/cross-validate.js";
import { type CsvDataset, loadCsvDataset } from "../workflow/dataset.js";
import { allImages } from "../workflow/images.js";
import type { Labelled } from "../workflow/labelled.js";
import { cvRunJson } from "../workflow/run-json.js";
import type { CvRun, DataRecord, KFoldRecord } from "../workflow/run-record.js";
import { foldNote, foldProgress, printFolds } from "./cv-folds.js";
import { cvRegression } from "./cv-regression.js";
import { ensembleFitOptions, jobProgress } from "./ensemble-run.js";
import { cliNote } from "./flag-names.js";
import { cvImageRegression } from "./image-regression-cv.js";
import { imageReadOptions, noteLookalikeClasses, warnSkipped } from "./images.js";
import {
  imageEstimator,
  isEnsembleTarget,
  type ModelTarget,
  modelName,
  modelTarget,
  regressorName,
  tableEstimator,
  tableRegressor,
} from "./model-choice.js";
import { paramsFromOptions } from "./option-spec.js";
import { type DataOptions, loadOptions, type OutputOptions } from "./options.js";
import { makeOutput, type Output } from "./output.js";
import { ENSEMBLE_OPTIONS, PARAM_OPTIONS } from "./param-options.js";
import { checkQueueUse, refuseQueueForRegression } from "./queue-option.js";
import { finishReportRun } from "./report-run.js";
import { DATA_OPTIONS } from "./run-options.js";
import { kFoldRecord, tableDataRecord } from "./table-split.js";

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
  nproc?: number;
  queue?: string;
}

/** What cross-validation needs of the data, whatever its kind. */
interface CvData<X> {
  readonly template: Classifier<X>;
  readonly data: Labelled<X>;
  readonly classes: readonly string[];
  readonly task: Task;
  readonly splits: readonly Split[];
  readonly fitOptions: Record<string, unknown>;
  /** What was read and how it was folded, for the run's record. */
  readonly dataRecord: DataRecord;
  readonly split: KFoldRecord;
  /** The examples' image files, for images (the report shows the misclassified ones). */
  readonly files?: readonly string[];
}

/**
 * strata cv: k-fold cross-validation (stratified, or grouped with --group) of a CSV file, or
 * (stratified, over train/ and test/ together) of an image folder. Each fold fits a fresh clone
 * of the same unfitted model.
 */
export async function cvCommand(file: string, o: CvCommandOptions, cmd: Command): Promise<void> {
  // A data-parallel rank other than 0 trains in silence: rank 0 speaks for the run.
  const out = makeOutput({ ...o, quiet: o.quiet || !isWriterEnv() });
  const target = modelTarget(file, o.model);
  const params = {
    seed: o.seed,
    ...paramsFromOptions(cmd, { ...o }, target, [...PARAM_OPTIONS, ...ENSEMBLE_OPTIONS, ...DATA_OPTIONS]),
  };
  checkQueueUse(o, "cv", target);
  // --nproc starts the ranks and waits for them; a rank joins its world (only rank 0 keeps --out).
  if (await distributedCommand(o, target)) return;
  // An ensemble's members get what a single model's fit would (how images are read here).
  const adapt = <X>(run: CvData<X>): CvData<X> =>
    isEnsembleTarget(target)
      ? { ...run, fitOptions: { ...ensembleFitOptions(o, out, run.fitOptions as Params) } }
      : run;
  if (!target.startsWith("table:")) {
    if (await cvImageRegression(file, target, params, o, out)) return;
    await runCv(o, target, adapt(imageCv(file, o, imageEstimator(target, params), out)), out);
    return;
  }
  // The target's values say which problem it is (data/problem-type.ts), so the data comes first.
  const data = loadCsvDataset(file, loadOptions(o));
  if (data.task === "regression") {
    refuseQueueForRegression(o);
    const template = tableRegressor(params, target);
    const dataRecord = tableDataRecordNoted(file, data, out);
    await cvRegression(file, o, { name: regressorName(target), template }, data, dataRecord, out);
    return;
  }
  await runCv(o, target, adapt(tableCv(file, o, data, tableEstimator(params, target), out)), out);
}

/** What was read (the notes printed, in the CLI's terms), for the run's record. */
function tableDataRecordNoted(file: string, data: CsvDataset, out: Output): DataRecord {
  // The library names its options as the API does; the CLI user typed flags.
  const notes = data.notes.map(cliNote);
  for (const n of notes) out.note(`note: ${n}`);
  return tableDataRecord(file, data, notes);
}

async function runCv<X extends Frame | readonly string[]>(
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
    ...(o.queue ? { queue: { url: o.queue }, onJob: jobProgress(o, out) } : {}),
    onFold: (fold) => {
      foldNote(out, fold, o.folds);
      warnSkipped(out, fold.skipped, "unreadable test images left out");
    },
  });
  const record: CvRun = {
    command: "cv",
    data: run.dataRecord,
    split: run.split,
    examples: { y: run.data.y, ...(run.files ? { files: run.files } : {}) },
    model: modelName(target),
    params: run.template.getParams(),
    task: run.task,
    cv,
  };
  await finishReportRun(record, cvRunJson(record), o, out, () => printFolds(out, cv, o.folds));
}

function tableCv(
  file: string,
  o: CvCommandOptions,
  data: CsvDataset,
  template: Classifier<Frame>,
  out: Output,
): CvData<Frame> {
  const dataRecord = tableDataRecordNoted(file, data, out);
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
    task: data.task as Task,
    splits,
    fitOptions: {},
    dataRecord,
    split: kFoldRecord(data, o.folds, o.seed),
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
    dataRecord: { kind: "images", source: dir },
    split: { kind: "stratified-kfold", folds: o.folds, seed: o.seed },
    files: data.x,
  };
}
