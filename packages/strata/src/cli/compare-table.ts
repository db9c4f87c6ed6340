import type { Frame } from "../data/frame.js";
import type { Task } from "../data/tabular.js";
import { builtInKinds } from "../estimators/built-in-kinds.js";
import type { Classifier } from "../estimators/estimator.js";
import type { ParamValue } from "../util/params.js";
import { type LabelledRows, loadCsvDataset } from "../workflow/dataset.js";
import { fitAndScore, scoreFitted } from "../workflow/fit-and-score.js";
import { fitOnQueue } from "../workflow/queue-fits.js";
import type { RegressorFit } from "../workflow/regression-record.js";
import { fitAndScoreRegressor, type NumericRows } from "../workflow/regression-run.js";
import type { CompareRun, ModelFit } from "../workflow/run-record.js";
import { modelFit } from "../workflow/run-record.js";
import { ensembleFitOptions, jobProgress } from "./ensemble-run.js";
import { cliNote } from "./flag-names.js";
import {
  isEnsembleTarget,
  type ModelTarget,
  modelName,
  regressorName,
  tableEstimator,
  tableRegressor,
} from "./model-choice.js";
import { type DataOptions, loadOptions } from "./options.js";
import type { Output } from "./output.js";
import { ConsoleProgress } from "./progress.js";
import { refuseQueueForRegression } from "./queue-option.js";
import { formatScore } from "./regression-text.js";
import { tableDataRecord, tableHoldout } from "./table-split.js";

/** What strata compare on a CSV file reads of its options. */
export interface TableCompareOptions extends DataOptions {
  seed: number;
  testSize: number;
  jobs?: number;
  queue?: string;
}

/**
 * strata compare on a CSV file: one hold-out split (grouped with --group; stratified by class, or
 * by the target's quantiles for a numeric target), each --models model fitted on its training
 * rows and scored on its test rows: the run a report and --json are made from.
 */
export async function compareTable(
  file: string,
  o: TableCompareOptions,
  targets: readonly ModelTarget[],
  paramsFor: (target: ModelTarget) => Record<string, ParamValue>,
  out: Output,
): Promise<CompareRun> {
  const data = loadCsvDataset(file, loadOptions(o));
  const regression = data.task === "regression";
  // Every model made before any is fitted: a bad param is refused before minutes of training.
  const models = targets.map((t) =>
    regression ? tableRegressor(paramsFor(t), t) : tableEstimator(paramsFor(t), t),
  );
  const notes = data.notes.map(cliNote);
  for (const n of notes) out.note(`note: ${n}`);
  const { train, test, split } = tableHoldout(file, o, data);
  out.note(
    `split: ${train.y.length} train rows, ${test.y.length} test rows (seed ${o.seed}); ${targets.length} models`,
  );
  if (regression) refuseQueueForRegression(o);
  const regressorFits: RegressorFit[] = [];
  const classifierFits: ModelFit[] = [];
  try {
    if (o.queue) {
      const task = data.task as Task;
      classifierFits.push(
        ...(await compareOnQueue(
          models as Classifier<Frame>[],
          targets,
          train,
          test,
          data.labels,
          task,
          o,
          out,
        )),
      );
    }
    for (const [i, target] of (o.queue ? [] : targets).entries()) {
      const model = models[i];
      const name = "predictProba" in model ? modelName(target) : regressorName(target);
      out.note(`— ${name} —`);
      if ("predictProba" in model) {
        const options =
          isEnsembleTarget(target) || target === "table:auto"
            ? ensembleFitOptions(o, out)
            : { listener: out.quiet ? undefined : new ConsoleProgress() };
        const result = await fitAndScore(
          model,
          { x: train.frame, y: train.y, groups: train.groups },
          { x: test.frame, y: test.y },
          { classes: data.labels, ...options },
        );
        classifierFits.push(modelFit(result, data.task as Task, name));
      } else {
        const progress = out.quiet ? {} : { listener: new ConsoleProgress() };
        regressorFits.push(await fitAndScoreRegressor(model, numeric(train), numeric(test), name, progress));
      }
    }
  } finally {
    for (const model of models) model.dispose();
  }
  return {
    command: "compare",
    data: tableDataRecord(file, data, notes),
    split,
    train: { y: train.y },
    test: { y: test.y },
    fits: regression ? regressorFits : classifierFits,
  };
}

/** Every model fitted as a job on the queue at once, then scored here on the test rows. */
async function compareOnQueue(
  models: readonly Classifier<Frame>[],
  targets: readonly ModelTarget[],
  train: LabelledRows,
  test: LabelledRows,
  classes: readonly string[],
  task: Task,
  o: TableCompareOptions & { queue?: string },
  out: Output,
): Promise<ModelFit[]> {
  const trainRows = { x: train.frame, y: train.y, groups: train.groups };
  const fitted = await fitOnQueue(
    models.map((model, i) => ({ label: modelName(targets[i]), model, train: trainRows })),
    { classes, queue: { url: o.queue! }, onJob: jobProgress(o, out), kinds: builtInKinds },
  );
  const results: ModelFit[] = [];
  try {
    for (const [i, { model, summary }] of fitted.entries()) {
      const result = await scoreFitted(
        model as Classifier<Frame>,
        { x: test.frame, y: test.y },
        summary,
        train.y.length,
      );
      results.push(modelFit(result, task, modelName(targets[i])));
    }
  } finally {
    for (const { model } of fitted) model.dispose();
  }
  return results;
}

function numeric(rows: LabelledRows): NumericRows {
  return {
    x: rows.frame,
    y: Float64Array.from(rows.y, Number),
    ...(rows.groups ? { groups: rows.groups } : {}),
  };
}

/** The comparison's table: a row per model (and the baseline's, for regression). */
export function compareRows(run: CompareRun): string[][] {
  const fits = run.fits;
  if (fits[0]?.task === "regression") {
    const r = fits as readonly RegressorFit[];
    const b = r[0].report.baseline;
    return [
      ["model", "RMSE", "MAE", "R²", "parameters", "fit s"],
      ...r.map((f) => [
        f.model,
        formatScore(f.report.rmse),
        formatScore(f.report.mae),
        f.report.r2.toFixed(4),
        String(f.parameters ?? ""),
        f.summary.seconds.toFixed(1),
      ]),
      ["(training mean)", formatScore(b.rmse), formatScore(b.mae), b.r2.toFixed(4), "", ""],
    ];
  }
  return [
    ["model", "accuracy", "macro-F1", "parameters", "fit s", "epochs"],
    ...(fits as readonly ModelFit[]).map((f) => [
      f.model,
      f.report.accuracy.toFixed(4),
      f.report.macroF1.toFixed(4),
      String(f.parameters ?? ""),
      f.summary.seconds.toFixed(1),
      String(f.summary.epochsRun),
    ]),
  ];
}
