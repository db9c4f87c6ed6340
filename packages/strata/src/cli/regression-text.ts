import { meanStd } from "../metrics/classification.js";
import { type RegressionReport, type RegressionScores, regressionReport } from "../metrics/regression.js";
import { savedTrainMean } from "../workflow/model-dir.js";
import type { RegressionCrossValidation, RegressionMemberRecord } from "../workflow/regression-record.js";
import { foldSpread, meanOf } from "../workflow/regression-run.js";
import { backendPhrase } from "./cv-folds.js";
import type { Output } from "./output.js";

/*
 * How a regressor's scores read in the terminal: RMSE, MAE and R² beside the baseline of
 * predicting the training mean, so a new user sees at once whether the model learned anything.
 */

/** A score to 4 significant digits, keeping whole-number parts whole (21.87, 0.5983, 1234). */
export function formatScore(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const digits = Math.abs(v) >= 1000 ? 0 : 4 - Math.max(1, Math.floor(Math.log10(Math.abs(v) || 1)) + 1);
  return v.toFixed(Math.max(0, digits));
}

function scoresLine(s: RegressionScores): string {
  return `RMSE ${formatScore(s.rmse)}  MAE ${formatScore(s.mae)}  R² ${s.r2.toFixed(4)}`;
}

/**
 * Two lines: the model's scores on `rows` rows, and the baseline's: predicting `trainMean` for
 * every row, or (a string) the baseline described in words.
 */
export function formatRegression(report: RegressionReport, trainMean: number | string, rows: number): string {
  const baseline =
    typeof trainMean === "number" ? `predicting the training mean, ${formatScore(trainMean)}` : trainMean;
  return [
    `${scoresLine(report)}   on ${rows} test rows`,
    `baseline (${baseline}): ${scoresLine(report.baseline)}`,
  ].join("\n");
}

/** An ensemble's members' test scores beside the ensemble's, one line each. */
export function printRegressionMembers(
  out: Output,
  members: readonly Pick<RegressionMemberRecord, "name" | "rmse" | "mae" | "r2" | "fitSeconds">[],
  combined: { name: string; report: RegressionScores; seconds?: number },
): void {
  const width = Math.max(8, combined.name.length, ...members.map((m) => m.name.length));
  out.result(
    `${"member".padEnd(width)}  ${"RMSE".padStart(9)}  ${"MAE".padStart(9)}  ${"R²".padStart(7)}  fit s`,
  );
  const line = (name: string, s: RegressionScores, seconds?: number) =>
    out.result(
      `${name.padEnd(width)}  ${formatScore(s.rmse).padStart(9)}  ${formatScore(s.mae).padStart(9)}  ${s.r2.toFixed(4).padStart(7)}  ${(seconds ?? Number.NaN).toFixed(1).padStart(5)}`,
    );
  for (const m of members) line(m.name, m, m.fitSeconds);
  line(combined.name, combined.report, combined.seconds);
}

/** The text summary: pooled scores beside the baseline's, then the mean ± std over folds. */
export function printRegressionFolds(
  out: Output,
  cv: RegressionCrossValidation,
  k: number,
  unit: "rows" | "images" = "rows",
): void {
  const pooled = formatRegression(cv.pooled, "predicting each fold's training mean", cv.actual.length);
  out.result(pooled.replace(" test rows", ` ${unit}, pooled over the folds' out-of-fold predictions`));
  const pm = (score: (r: RegressionCrossValidation["pooled"]) => number, digits?: number) => {
    const { mean, std } = foldSpread(cv.folds, score);
    return digits === undefined
      ? `${formatScore(mean)} ± ${formatScore(std)}`
      : `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
  };
  out.result(
    `RMSE  ${pm((r) => r.rmse)}  (mean ± std over ${k} folds; baseline ${pm((r) => r.baseline.rmse)})`,
  );
  out.result(`MAE   ${pm((r) => r.mae)}`);
  out.result(`R²    ${pm((r) => r.r2, 4)}`);
  const seconds = meanStd(cv.folds.map((f) => f.summary.seconds)).mean;
  out.result(`fit ${seconds.toFixed(1)} s per fold on ${backendPhrase(cv.backend)}`);
}

/**
 * strata evaluate's answer for a regressor: its scores on the rows (or images) given, beside the
 * baseline of the training mean its fit saved (the data's own mean, said in a note, when the
 * directory does not have it); text, or --json.
 */
export function printEvaluation(
  out: Output,
  run: { dir: string; data: string; backend: string; unit: "rows" | "images" },
  actual: Float64Array,
  predicted: Float64Array,
): void {
  const saved = savedTrainMean(run.dir);
  if (saved === undefined)
    out.note(`note: ${run.dir} does not say its training mean; the baseline predicts ${run.data}'s own mean`);
  const trainMean = saved ?? meanOf(actual);
  const report = regressionReport(actual, predicted, trainMean);
  if (out.json) {
    const scores = (s: RegressionScores) => ({ rmse: s.rmse, mae: s.mae, r2: s.r2 });
    out.emitJson({
      task: "regression",
      ...scores(report),
      baseline: scores(report.baseline),
      nTest: actual.length,
      backend: run.backend,
      model: run.dir,
      data: run.data,
    });
  } else
    out.result(formatRegression(report, trainMean, actual.length).replace(" test rows", ` test ${run.unit}`));
}
