import type { FitSummary } from "../estimators/estimator.js";
import type { Output } from "./output.js";

/** The rows of a model chosen by cross-validation (`--model auto`). */
type Leaderboard = NonNullable<FitSummary["leaderboard"]>;

/**
 * The leaderboard as a table: each candidate's CV accuracy or RMSE (mean ± std over the folds of the
 * training rows) and mean fit seconds per fold, the chosen one marked.
 */
export function formatLeaderboard(rows: Leaderboard, metric: "accuracy" | "rmse" = "accuracy"): string[] {
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  const lines = [
    `${"model".padEnd(width)}  ${(metric === "rmse" ? "CV RMSE" : "CV accuracy").padEnd(17)}fit s`,
  ];
  for (const r of rows)
    lines.push(
      `${r.name.padEnd(width)}  ${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}  ${r.seconds.toFixed(1).padStart(5)}${r.chosen ? "  ← chosen" : ""}`,
    );
  return lines;
}

/** Prints a fit's leaderboard, when it has one (a model chosen by cross-validation), before its test results. */
export function printLeaderboard(out: Output, summary: FitSummary | undefined): void {
  if (!summary?.leaderboard) return;
  const metric = summary.leaderboardMetric ?? "accuracy";
  out.result(
    `cross-validation on the training rows (the simplest within one std of the best is chosen${metric === "rmse" ? "; RMSE: lower is better" : ""}):`,
  );
  for (const line of formatLeaderboard(summary.leaderboard, metric)) out.result(line);
}
