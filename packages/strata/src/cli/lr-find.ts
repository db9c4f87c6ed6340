import { writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Command } from "commander";
import { StrataError, where } from "../errors.js";
import type { FitOptions } from "../estimators/estimator.js";
import { lrFindSvg } from "../report/lr-chart.js";
import { writeDirAtomic, writeJson } from "../util/atomic.js";
import type { ParamValue } from "../util/params.js";
import { writeDirManifest } from "../util/strata-dirs.js";
import { loadCsvDataset, trainTestSplit } from "../workflow/dataset.js";
import {
  findLearningRate,
  findRegressionLearningRate,
  type LrFindResult,
  requireNetwork,
  requireNetworkRegressor,
} from "../workflow/lr-find.js";
import { cliNote } from "./flag-names.js";
import { decideImageTask } from "./image-regression-task.js";
import { imageReadOptions, splitImages } from "./images.js";
import { lrPlot } from "./lr-plot.js";
import {
  imageEstimator,
  isEnsembleTarget,
  type ModelTarget,
  modelTarget,
  tableEstimator,
  tableRegressor,
} from "./model-choice.js";
import { paramsFromOptions } from "./option-spec.js";
import { type DataOptions, loadOptions, type OutputOptions } from "./options.js";
import { makeOutput, type Output } from "./output.js";
import { PARAM_OPTIONS } from "./param-options.js";
import { ConsoleProgress } from "./progress.js";
import { DATA_OPTIONS } from "./run-options.js";

/** The files `--out DIR` holds (besides strata's folder manifest). */
export const LR_FIND_JSON = "lr-find.json";
export const LR_FIND_SVG = "lr-find.svg";

/** The share `strata fit` holds out for testing by default: the sweep runs on the rest, as fit would train. */
const FIT_TEST_SIZE = 0.2;

export interface LrFindCommandOptions extends DataOptions, OutputOptions {
  model?: string;
  seed: number;
  out?: string;
  cache?: string;
  memoryCache?: number;
  strict?: boolean;
  /** An image folder's CSV of file → number (--targets). */
  targets?: string;
}

/**
 * strata lr-find: fastai's learning-rate finder for a network model. The data is read and
 * split as `strata fit` would with the same flags (its default 20% test hold-out, or an image
 * folder's test/); the sweep trains on the training part from the model's fresh initial
 * weights with the rate rising from 1e-7 to 10, and prints the curve and the suggested rate.
 * On a numeric target (a CSV's; data/problem-type.ts or --task) the sweep is the regressor
 * twin's, with its loss (MSE or Huber) on the standardised target.
 */
export async function lrFindCommand(file: string, o: LrFindCommandOptions, cmd: Command): Promise<void> {
  const out = makeOutput(o);
  const target = modelTarget(file, o.model);
  if (isEnsembleTarget(target))
    throw new StrataError(
      `lr-find: --model ${o.model} is an ensemble, whose members train at their own rates; give one network model (dense, cnn, image-dense or transfer)`,
    );
  if (cmd.getOptionValueSource("lr") === "cli")
    throw new StrataError("--lr: lr-find sweeps the learning rate itself; leave out --lr");
  const params = {
    seed: o.seed,
    ...paramsFromOptions(cmd, { ...o }, target, [...PARAM_OPTIONS, ...DATA_OPTIONS]),
  };
  const listener = out.quiet ? undefined : new ConsoleProgress(process.stderr, "lr-find ");
  let result: LrFindResult;
  if (target.startsWith("images:")) {
    const estimator = imageEstimator(target, params);
    requireNetwork(estimator);
    const decided = decideImageTask(file, o);
    if (decided.task === "regression")
      throw new StrataError(
        `lr-find: ${file}'s target is numbers (${decided.notes[decided.notes.length - 1]}); lr-find does not split image folders with numbers yet: fit with --lr auto, which sweeps the regressor's loss first`,
      );
    for (const n of decided.notes) out.note(`note: ${n}`);
    const run = { ...o, testSize: FIT_TEST_SIZE };
    const { folder, train } = splitImages(file, run, out);
    const options: FitOptions = { ...imageReadOptions(run), classes: folder.classes, listener };
    result = await findLearningRate(estimator, train.x, train.y, options);
  } else {
    result = await sweepTable(file, o, target, params, out, listener);
  }
  const record = lrFindJson(file, target, result);
  if (o.out) await writeLrFindDir(o.out, record, await lrFindSvg(result));
  if (out.json) {
    out.emitJson({ ...record, ...(o.out ? { out: o.out } : {}) });
    return;
  }
  if (process.stderr.isTTY && !out.quiet) process.stderr.write("\r\x1b[K");
  for (const line of lrPlot(result)) out.result(line);
  out.result(
    `suggested learning rate: ${result.suggested.toPrecision(2)} (${result.steps} steps; ${result.about})`,
  );
  out.result(
    `fit with it: strata fit with the same flags and --lr ${result.suggested.toPrecision(2)} (or --lr auto, which sweeps first)`,
  );
  if (o.out) {
    const dir = relative(process.cwd(), o.out) || ".";
    out.result(`saved ${join(dir, LR_FIND_SVG)} and ${join(dir, LR_FIND_JSON)}`);
  }
}

/**
 * The sweep on a CSV file's training part (fit's split with the same flags): a classifier's, or,
 * on a numeric target, the regressor twin's with its own loss on the standardised target.
 */
async function sweepTable(
  file: string,
  o: LrFindCommandOptions,
  target: ModelTarget,
  params: Record<string, ParamValue>,
  out: Output,
  listener: ConsoleProgress | undefined,
): Promise<LrFindResult> {
  const data = loadCsvDataset(file, loadOptions(o));
  const regression = data.task === "regression";
  // Made before any note is printed, so that a bad param or model is the one line printed.
  const regressor = regression ? tableRegressor(params, target) : undefined;
  const classifier = regression ? undefined : tableEstimator(params, target);
  if (regressor) requireNetworkRegressor(regressor);
  if (classifier) requireNetwork(classifier);
  for (const n of data.notes) out.note(`note: ${cliNote(n)}`);
  // fit's split: a numeric target's is stratified by its quantiles (`values`).
  const { train } = trainTestSplit(data, {
    testSize: FIT_TEST_SIZE,
    seed: o.seed,
    ...(regression ? { values: data.values as Float64Array } : {}),
    source: where(file, undefined, data.schema.target),
    groupedBy: o.group === undefined ? undefined : `--group ${o.group}`,
  });
  const loss = regressor ? `; ${String(regressor.getParams().loss)} loss on the standardised target` : "";
  out.note(`${file}: sweeping on ${train.y.length} training rows (fit's split, seed ${o.seed}${loss})`);
  if (regressor)
    return findRegressionLearningRate(regressor, train.frame, train.y.map(Number), {
      groups: train.groups,
      listener,
    });
  const estimator = classifier as NonNullable<typeof classifier>;
  return findLearningRate(estimator, train.frame, train.y, {
    classes: data.labels,
    groups: train.groups,
    listener,
  });
}

/** What --json prints and lr-find.json holds. */
function lrFindJson(file: string, target: string, result: LrFindResult) {
  return {
    data: file,
    model: target.split(":")[1],
    suggested: result.suggested,
    rule: result.rule,
    about: result.about,
    steps: result.steps,
    points: result.points,
  };
}

/** The --out folder: a report folder strata wrote (its manifest), the curve as JSON and as SVG, atomically. */
async function writeLrFindDir(dir: string, record: object, svg: string): Promise<void> {
  await writeDirAtomic(
    dir,
    async (tmp) => {
      await writeDirManifest(tmp, "report");
      await writeJson(join(tmp, LR_FIND_JSON), record);
      await writeFile(join(tmp, LR_FIND_SVG), svg);
    },
    "report",
  );
}
