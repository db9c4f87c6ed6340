import { relative } from "node:path";
import type { Frame } from "../data/frame.js";
import { StrataError } from "../errors.js";
import type { Regressor } from "../estimators/regressor.js";
import { permutationImportance } from "../explain/permutation.js";
import { runReport } from "../report/build.js";
import { renderReport } from "../report/html.js";
import { summarizeInputs } from "../serve/inputs.js";
import type { CsvDataset } from "../workflow/dataset.js";
import { saveModelDir } from "../workflow/model-dir.js";
import type { RegressorFit } from "../workflow/regression-record.js";
import { fitAndScoreRegressor, type NumericRows } from "../workflow/regression-run.js";
import { fitRunJson } from "../workflow/run-json.js";
import type { FitRun, HoldoutRecord } from "../workflow/run-record.js";
import { backendPhrase } from "./cv-folds.js";
import { printLeaderboard } from "./leaderboard.js";
import { type ModelTarget, regressorName } from "./model-choice.js";
import type { loadOptions } from "./options.js";
import type { Output } from "./output.js";
import { ConsoleProgress } from "./progress.js";
import { formatRegression, printRegressionMembers } from "./regression-text.js";
import { readTestFile, tableDataRecord, tableHoldout } from "./table-split.js";

/** What `strata fit` on a numeric target reads of its options. */
export interface RegressionFitOptions {
  seed: number;
  testSize: number;
  test?: string;
  out?: string;
  group?: string;
  header: boolean;
  delimiter?: string;
  encoding?: Parameters<typeof loadOptions>[0]["encoding"];
}

/** The rows of a dataset (or a part of one) with their numeric targets. */
function numericRows(frame: Frame, y: readonly string[], groups?: readonly string[]): NumericRows {
  return { x: frame, y: Float64Array.from(y, Number), ...(groups ? { groups } : {}) };
}

/**
 * strata fit on a numeric target (data/problem-type.ts chose regression, or --task did): a
 * hold-out split (grouped, or stratified by the target's quantiles), the regressor twin of
 * --model fitted, scored by RMSE, MAE and R² beside the training mean's, saved with --out.
 */
export async function fitRegression(
  file: string,
  o: RegressionFitOptions,
  target: ModelTarget,
  model: Regressor<Frame>,
  data: CsvDataset,
  out: Output,
  notes: readonly string[],
): Promise<void> {
  const values = data.values as Float64Array;
  let train: NumericRows;
  let test: NumericRows;
  let split: HoldoutRecord;
  if (o.test) {
    const testData = readTestFile({ ...o, test: o.test }, data, "regression");
    train = numericRows(data.frame, data.y, data.groups);
    test = numericRows(testData.frame, testData.y);
    split = { kind: "given", test: o.test };
  } else {
    const parts = tableHoldout(file, o, data);
    train = numericRows(parts.train.frame, parts.train.y, parts.train.groups);
    test = numericRows(parts.test.frame, parts.test.y);
    split = parts.split;
  }
  const features = data.schema.features;
  out.note(
    `${file}: ${data.y.length} rows, ${features.length} features (${features.filter((f) => f.kind === "numeric").length} numeric, ` +
      `${features.filter((f) => f.kind === "categorical").length} categorical), target ${data.schema.target}: regression, ${describeTarget(values)}`,
  );
  const splitText = o.test
    ? `test set ${o.test}`
    : data.groups
      ? `grouped by ${o.group}: ${Math.round((1 - o.testSize) * 100)}% of the groups train, the rest test`
      : `stratified by ${data.schema.target}'s quantiles ${Math.round((1 - o.testSize) * 100)}/${Math.round(o.testSize * 100)}`;
  out.note(`split: ${splitText}; ${train.y.length} train rows, ${test.y.length} test rows (seed ${o.seed})`);

  const name = regressorName(target);
  const fit = await fitAndScoreRegressor(model, train, test, name, {
    ...(out.quiet ? {} : { listener: new ConsoleProgress() }),
    onFit: (what: string, seconds: number) => out.note(`${what}: ${seconds.toFixed(1)} s`),
  });
  const run: FitRun = {
    command: "fit",
    data: tableDataRecord(file, data, notes),
    split,
    train: { y: [...train.y].map(String) },
    test: { y: [...test.y].map(String) },
    // As a classifier's fit: 3 shuffles per column on the test rows (strata explain repeats more).
    fit: {
      ...fit,
      importance: await permutationImportance(model, test.x, [...test.y], { repeats: 3, seed: o.seed }),
    },
  };
  await finishRegressionFit(out, o, model, run, { schema: data.schema, inputs: train.x });
}

/** "mean 42.5, sd 24.9, from 0 to 100": what a numeric target looks like. */
function describeTarget(values: Float64Array): string {
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / values.length);
  return `mean ${mean.toPrecision(4)}, sd ${sd.toPrecision(4)}, from ${min} to ${max}`;
}

/** Saves (with --out), prints the scores or the --json object, and frees the model. */
async function finishRegressionFit(
  out: Output,
  o: { out?: string },
  model: Regressor<Frame>,
  run: FitRun,
  save: { schema: CsvDataset["schema"]; inputs: Frame },
): Promise<void> {
  const json = fitRunJson(run);
  const fit = run.fit as RegressorFit;
  try {
    if (o.out) {
      const report = await runReport(run, { elapsedSeconds: process.uptime() });
      await saveModelDir(o.out, {
        model,
        schema: save.schema,
        metrics: { ...json, out: o.out, inputs: summarizeInputs(save.inputs) },
        reportHtml: await renderReport(report),
        trainingRows: { frame: save.inputs, columns: save.schema.features.map((f) => f.name) },
      });
    }
  } finally {
    model.dispose();
  }
  if (out.json) {
    out.emitJson({ ...json, ...(o.out ? { out: o.out } : {}) });
    return;
  }
  const { summary } = fit;
  const rate = summary.learningRate;
  if (rate)
    out.note(
      `note: --lr auto: a learning-rate sweep chose ${rate.chosen.toPrecision(2)} (${rate.rule} rule)`,
    );
  printLeaderboard(out, summary);
  out.result(formatRegression(fit.report, fit.trainMean, fit.actual.length));
  if (fit.members) {
    printRegressionMembers(out, fit.members, {
      name: fit.model,
      report: fit.report,
      seconds: summary.seconds,
    });
    out.result(
      `${fit.model}: fit ${summary.seconds.toFixed(1)} s (its members on ${backendPhrase(fit.backend)})`,
    );
  } else {
    const size = fit.parameters === undefined ? "" : `${fit.parameters} parameters; `;
    const epochs =
      summary.epochsRun > 0
        ? `: ${summary.epochsRun} epoch${summary.epochsRun === 1 ? "" : "s"}, weights of epoch ${summary.bestEpoch} kept`
        : "";
    out.result(
      `${fit.model}: ${size}fit ${summary.seconds.toFixed(1)} s on ${backendPhrase(fit.backend)}${epochs}`,
    );
  }
  if (o.out) {
    const dir = relative(process.cwd(), o.out) || ".";
    out.result(`saved ${dir} (predict with: strata predict ${dir} <data.csv>)`);
  }
}

/** Refuses what fit does not do for regressors yet, naming the option. */
export function checkRegressionOptions(o: { checkpoint?: string; resume?: boolean }): void {
  if (o.checkpoint || o.resume)
    throw new StrataError(
      "--checkpoint and --resume are for classifiers; a regressor's fit is not checkpointed yet",
    );
}
