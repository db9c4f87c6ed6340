import type { Command } from "commander";
import { StrataError } from "../errors.js";
import { parseQueueUrl } from "../parallel/queue-url.js";
import type { ParamValue } from "../util/params.js";
import { compareRunJson } from "../workflow/run-json.js";
import type { CompareRun, ModelFit } from "../workflow/run-record.js";
import { compareRows, compareTable, type TableCompareOptions } from "./compare-table.js";
import { decideImageTask } from "./image-regression-task.js";
import { fitAndScoreImages, type ImageRunOptions, splitImages } from "./images.js";
import { isFolder, type ModelTarget, modelTarget } from "./model-choice.js";
import { paramsFromOptions } from "./option-spec.js";
import type { OutputOptions } from "./options.js";
import { makeOutput, type Output } from "./output.js";
import { ENSEMBLE_OPTIONS, PARAM_OPTIONS } from "./param-options.js";
import { finishReportRun } from "./report-run.js";
import { DATA_OPTIONS } from "./run-options.js";

/** The models compared on a CSV file when --models is not given. */
const DEFAULT_TABLE_MODELS = ["dense", "xgboost", "logistic"];

export interface CompareCommandOptions extends ImageRunOptions, TableCompareOptions, OutputOptions {
  models?: string[];
  /** Folder for report.html and metrics.json. */
  out?: string;
}

/**
 * strata compare <image folder> --models dense,cnn: the same split, each model trained and scored,
 * side by side (the talk's lesson: flattening loses which pixels are neighbours); on a CSV file,
 * any table models (dense, xgboost, logistic, stack, …), classifiers or, for a numeric target,
 * regressors. An option is given to every model that takes it, and refused if none does.
 */
export async function compareCommand(dir: string, o: CompareCommandOptions, cmd: Command): Promise<void> {
  const out = makeOutput(o);
  const images = isFolder(dir);
  if (images && decideImageTask(dir, o).task === "regression")
    throw new StrataError(
      `strata compare on images with numbers is not made yet: fit each model with strata fit ${dir} --model …`,
    );
  if (images && o.queue !== undefined)
    throw new StrataError(
      "--queue: compare on image folders fits here for now (cv and fit --model stack on images take --queue); leave out --queue",
    );
  const names = o.models ?? (images ? ["dense", "cnn"] : DEFAULT_TABLE_MODELS);
  const targets = names.map((m) => {
    if (images && m !== "dense" && m !== "cnn")
      throw new StrataError(`--models: expected dense and/or cnn, got "${m}"`);
    return modelTarget(dir, m, images);
  });
  // An option none of the models takes is refused (by name); each model gets those it takes.
  const specs = [...PARAM_OPTIONS, ...ENSEMBLE_OPTIONS, ...DATA_OPTIONS];
  for (const spec of specs)
    if (!targets.some((t) => spec.targets.includes(t))) paramsFromOptions(cmd, { ...o }, targets[0], [spec]);
  const paramsFor = (target: ModelTarget) => ({
    seed: o.seed,
    ...paramsFromOptions(
      cmd,
      { ...o },
      target,
      specs.filter((s) => s.targets.includes(target)),
    ),
  });
  if (o.queue !== undefined) parseQueueUrl(o.queue);
  const run = images
    ? await compareImages(dir, o, targets, names, paramsFor, out)
    : await compareTable(dir, o, targets, paramsFor, out);
  await finishReportRun(run, compareRunJson(run), o, out, () => {
    const rows = compareRows(run);
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows)
      out.result(
        r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  "),
      );
  });
}

/** The image folder's split (its test/ part, or a stratified hold-out), each model fitted and scored. */
async function compareImages(
  dir: string,
  o: CompareCommandOptions,
  targets: readonly ModelTarget[],
  names: readonly string[],
  paramsFor: (target: ModelTarget) => Record<string, ParamValue>,
  out: Output,
): Promise<CompareRun> {
  const { folder, train, test, split } = splitImages(dir, o, out);
  const fits: ModelFit[] = [];
  for (const [i, target] of targets.entries()) {
    out.note(`— ${names[i]} —`);
    const { model, fit } = await fitAndScoreImages(target, paramsFor(target), folder, train, test, o, out);
    model.dispose();
    fits.push(fit);
  }
  return {
    command: "compare",
    data: { kind: "images", source: dir },
    split,
    train: { y: train.y, files: train.x },
    test: { y: test.y, files: test.x },
    fits,
  };
}
