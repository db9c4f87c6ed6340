import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import type { Command } from "commander";
import type { Frame } from "../data/frame.js";
import type { Task } from "../data/tabular.js";
import { StrataError } from "../errors.js";
import { CHECKPOINT_LAST } from "../estimators/checkpointing.js";
import type { AnyClassifier, Classifier } from "../estimators/estimator.js";
import type { Regressor } from "../estimators/regressor.js";
import { permutationImportance } from "../explain/permutation.js";
import type { ImportanceResult } from "../explain/types.js";
import { formatReport } from "../metrics/classification.js";
import { distributedCommand } from "../parallel/distributed-cli.js";
import { isWriterEnv } from "../parallel/distributed-env.js";
import { runReport } from "../report/build.js";
import { renderReport } from "../report/html.js";
import { summarizeInputs } from "../serve/inputs.js";
import { checkTestLabels, type LabelledRows, loadCsvDataset } from "../workflow/dataset.js";
import { fitAndScore } from "../workflow/fit-and-score.js";
import { saveModelDir } from "../workflow/model-dir.js";
import { fitRunJson } from "../workflow/run-json.js";
import { type FitRun, type HoldoutRecord, type ModelFit, modelFit } from "../workflow/run-record.js";
import { backendPhrase } from "./cv-folds.js";
import { ensembleFitOptions, printMembers } from "./ensemble-run.js";
import { reportHeatmaps } from "./fit-heatmaps.js";
import { checkRegressionOptions, fitRegression } from "./fit-regression.js";
import { cliNote } from "./flag-names.js";
import { fitImageRegression } from "./image-regression.js";
import { fitImages } from "./images.js";
import { printLeaderboard } from "./leaderboard.js";
import { isEnsembleTarget, modelName, modelTarget, tableEstimator, tableRegressor } from "./model-choice.js";
import { paramsFromOptions } from "./option-spec.js";
import { type DataOptions, loadOptions, type OutputOptions } from "./options.js";
import { makeOutput, type Output } from "./output.js";
import { ENSEMBLE_OPTIONS, PARAM_OPTIONS } from "./param-options.js";
import { ConsoleProgress } from "./progress.js";
import { checkQueueUse, refuseQueueForRegression } from "./queue-option.js";
import { DATA_OPTIONS, FIT_ONLY_OPTIONS } from "./run-options.js";
import { readTestFile, tableDataRecord, tableHoldout } from "./table-split.js";

export interface FitCommandOptions extends DataOptions, OutputOptions {
  model?: string;
  seed: number;
  testSize: number;
  test?: string;
  out?: string;
  checkpoint?: string;
  resume?: boolean;
  cache?: string;
  memoryCache?: number;
  strict?: boolean;
  jobs?: number;
  nproc?: number;
  queue?: string;
}

/** strata fit: read, split (grouped or stratified), fit, evaluate on the test split, save. */
export async function fitCommand(file: string, o: FitCommandOptions, cmd: Command): Promise<void> {
  // A data-parallel rank other than 0 trains in silence: rank 0 speaks for the run.
  const out = makeOutput({ ...o, quiet: o.quiet || !isWriterEnv() });
  const target = modelTarget(file, o.model);
  const params = {
    seed: o.seed,
    ...paramsFromOptions(cmd, { ...o }, target, [
      ...PARAM_OPTIONS,
      ...ENSEMBLE_OPTIONS,
      ...DATA_OPTIONS,
      ...FIT_ONLY_OPTIONS,
    ]),
  };
  checkQueueUse(o, "fit", target);
  // --nproc starts the ranks and waits for them; a rank joins its world (only rank 0 keeps --out).
  if (await distributedCommand(o, target)) return;
  checkpointNotes(o, out);
  if (o.test && cmd.getOptionValueSource("testSize") === "cli")
    throw new StrataError(
      "--test gives the test set, so there is no split to size: leave out --test-size (or --test, to split the training file)",
    );
  if (target.startsWith("images:")) {
    // A folder of images with numbers (a CSV of targets, or folders named by numbers) is a regression.
    if (await fitImageRegression(file, target, params, o, out)) return;
    const { model, run } = await fitImages(file, target, params, o, out);
    await finishFit(out, o, model, run, { predictHint: "<images or folder>" });
    return;
  }
  // The target's values say which problem it is (data/problem-type.ts), so the data comes first.
  const data = loadCsvDataset(file, loadOptions(o));
  // Made before any note is printed, so that a bad member or param is the one line printed.
  const regression = data.task === "regression";
  if (regression) {
    checkRegressionOptions(o);
    refuseQueueForRegression(o);
  }
  const estimator = regression ? tableRegressor(params, target) : tableEstimator(params, target);
  // The library names its options as the API does; the CLI user typed flags.
  const notes = data.notes.map(cliNote);
  for (const n of notes) out.note(`note: ${n}`);
  if (isRegressor(estimator)) {
    await fitRegression(file, o, target, estimator, data, out, notes);
    return;
  }
  const task = data.task as Task;

  let train: LabelledRows;
  let test: LabelledRows;
  let split: HoldoutRecord;
  if (o.test) {
    const testData = readTestFile({ ...o, test: o.test }, data, "classification");
    checkTestLabels(testData, data.labels);
    train = data;
    test = testData;
    split = { kind: "given", test: o.test };
  } else {
    ({ train, test, split } = tableHoldout(file, o, data));
  }
  const features = data.schema.features;
  out.note(
    `${file}: ${data.y.length} rows, ${features.length} features (${features.filter((f) => f.kind === "numeric").length} numeric, ` +
      `${features.filter((f) => f.kind === "categorical").length} categorical), target ${data.schema.target}: ${task}, ${data.labels.length} classes`,
  );
  const splitText = o.test
    ? `test set ${o.test}`
    : data.groups
      ? `grouped by ${o.group}: ${Math.round((1 - o.testSize) * 100)}% of the groups train, the rest test`
      : `stratified ${Math.round((1 - o.testSize) * 100)}/${Math.round(o.testSize * 100)}`;
  out.note(`split: ${splitText}; ${train.y.length} train rows, ${test.y.length} test rows (seed ${o.seed})`);

  const result = await fitAndScore(
    estimator,
    { x: train.frame, y: train.y, groups: train.groups },
    { x: test.frame, y: test.y },
    {
      classes: data.labels,
      ...(isEnsembleTarget(target) || target === "table:auto"
        ? ensembleFitOptions(o, out)
        : {
            listener: out.quiet ? undefined : new ConsoleProgress(),
            checkpoint: o.checkpoint,
            resume: o.resume,
          }),
    },
  );
  printLeaderboard(out, result.summary);
  const run: FitRun & { readonly fit: ModelFit } = {
    command: "fit",
    data: tableDataRecord(file, data, notes),
    split,
    train: { y: train.y },
    test: { y: test.y },
    fit: {
      ...modelFit(result, task, modelName(target)),
      importance: await reportImportance(result.model, test, o.seed),
    },
  };
  await finishFit(out, o, result.model, run, {
    schema: data.schema,
    predictHint: "<data.csv>",
    inputs: train.frame,
  });
}

/**
 * Saves (with --out: the model directory with its metrics.json and report.html), prints the
 * result or the --json object, and frees the model. `save.inputs`, a table's training rows,
 * gives the input ranges that `strata serve` shows.
 */
async function finishFit(
  out: Output,
  o: { out?: string; checkpoint?: string },
  model: Classifier<never>,
  run: FitRun & { readonly fit: ModelFit },
  save: { schema?: Parameters<typeof saveModelDir>[1]["schema"]; predictHint: string; inputs?: Frame },
): Promise<void> {
  const json = fitRunJson(run);
  try {
    if (o.out) {
      const report = await runReport(run, {
        elapsedSeconds: process.uptime(),
        heatmaps: reportHeatmaps(model as AnyClassifier),
      });
      await saveModelDir(o.out, {
        model,
        schema: save.schema,
        metrics: { ...json, out: o.out, ...(save.inputs ? { inputs: summarizeInputs(save.inputs) } : {}) },
        reportHtml: await renderReport(report),
        ...(save.inputs && save.schema
          ? { trainingRows: { frame: save.inputs, columns: save.schema.features.map((f) => f.name) } }
          : {}),
      });
    }
  } finally {
    model.dispose();
  }
  if (out.json) {
    out.emitJson({ ...json, ...(o.out ? { out: o.out } : {}) });
    return;
  }
  const { fit } = run;
  const { summary } = fit;
  const rate = summary.learningRate;
  if (rate)
    out.note(
      `note: --lr auto: a learning-rate sweep chose ${rate.chosen.toPrecision(2)} (${rate.rule} rule)`,
    );
  out.result(formatReport(fit.report));
  if (fit.members) {
    printMembers(out, fit);
    out.result(
      `${fit.model}: fit ${summary.seconds.toFixed(1)} s (its members on ${backendPhrase(fit.backend)})`,
    );
  } else {
    const size = fit.parameters === undefined ? "" : `${fit.parameters} parameters; `;
    out.result(
      `${fit.model}: ${size}fit ${summary.seconds.toFixed(1)} s on ${backendPhrase(fit.backend)}: ${summary.epochsRun} epoch${summary.epochsRun === 1 ? "" : "s"}, weights of epoch ${summary.bestEpoch} kept`,
    );
  }
  if (o.out) {
    const dir = relative(process.cwd(), o.out) || ".";
    out.result(`saved ${dir} (predict with: strata predict ${dir} ${save.predictHint})`);
  }
  if (o.checkpoint) {
    const d = relative(process.cwd(), o.checkpoint) || ".";
    out.result(`checkpoints in ${d}: last/ (continue with --resume), best/ (the best epoch's model)`);
  }
}

/**
 * Permutation importance on the test rows, for the report and --json: 3 shuffles per column (the
 * report's overview; `strata explain` repeats more). Each shuffle is one prediction of the test
 * rows, so it costs a fraction of the fit.
 */
async function reportImportance(
  model: Classifier<Frame>,
  test: LabelledRows,
  seed: number,
): Promise<ImportanceResult> {
  return permutationImportance(model, test.frame, test.y, { repeats: 3, seed });
}

function isRegressor(model: object): model is Regressor<Frame> {
  return (model as Partial<Regressor>).task === "regression";
}

/** --resume needs --checkpoint; says whether a checkpoint will be resumed or replaced. */
function checkpointNotes(o: FitCommandOptions, out: Output): void {
  if (o.resume && !o.checkpoint)
    throw new StrataError("--resume continues a checkpoint: give its folder with --checkpoint DIR");
  if (!o.checkpoint) return;
  const held = existsSync(join(o.checkpoint, CHECKPOINT_LAST));
  if (held && !o.resume)
    out.note(
      `note: ${o.checkpoint} holds a checkpoint; starting afresh and replacing it (--resume continues it)`,
    );
  else if (!held && o.resume) out.note(`note: no checkpoint in ${o.checkpoint} yet; starting afresh`);
}
