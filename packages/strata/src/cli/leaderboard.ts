import type { FitSummary } from "../estimators/estimator.js";
import type { Output } from "./output.js";

/** The rows of a model chosen by cross-validation (`--model auto`). */
type Leaderboard = NonNullable<FitSummary["leaderboard"]>;

/**
 * The leaderboard as a table: each candidate's CV accuracy (mean ± std over the folds of the
 * training rows) and mean fit seconds per fold, the chosen one marked.
 */
export function formatLeaderboard(rows: Leaderboard): string[] {
  const width = Math.max(5, ...rows.map((r) => r.name.length));
  const lines = [`${"model".padEnd(width)}  CV accuracy        fit s`];
  for (const r of rows)
    lines.push(
      `${r.name.padEnd(width)}  ${r.mean.toFixed(4)} ± ${r.std.toFixed(4)}  ${r.seconds.toFixed(1).padStart(5)}${r.chosen ? "  ← chosen" : ""}`,
    );
  return lines;
}

/** Prints a fit's leaderboard, when it has one (a model chosen by cross-validation), before its test results. */
export function printLeaderboard(out: Output, summary: FitSummary | undefined): void {
  if (!summary?.leaderboard) return;
  out.result("cross-validation on the training rows (the simplest within one std of the best is chosen):");
  for (const line of formatLeaderboard(summary.leaderboard)) out.result(line);
}
