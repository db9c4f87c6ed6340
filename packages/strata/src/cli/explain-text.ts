import type { FeatureImportance, ImportanceMetric } from "../explain/types.js";
import type { TableExplanation } from "./explain-table.js";

const BAR = 24;

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function figure(f: FeatureImportance | undefined, digits: number): string {
  return f === undefined
    ? ""
    : `${f.mean >= 0 ? " " : ""}${f.mean.toFixed(digits)} ± ${f.std.toFixed(digits)}`;
}

/**
 * Decimals for a score's figures: 3 for accuracy; for an RMSE, in the target's units, enough for
 * about four significant digits of the baseline (0.652 → 3, 41.7 → 2, 31250 → 0).
 */
function decimals(metric: ImportanceMetric, baseline: number): number {
  if (metric === "accuracy" || !(baseline > 0)) return 3;
  return Math.min(3, Math.max(0, 3 - Math.floor(Math.log10(baseline))));
}

/** The score's name in the header ("accuracy", "RMSE") and the importance's column ("drop in accuracy"). */
export function metricWords(metric: ImportanceMetric): { score: string; harm: string } {
  return metric === "rmse"
    ? { score: "RMSE", harm: "rise in RMSE" }
    : { score: "accuracy", harm: "drop in accuracy" };
}

/** Whether the rows were held out: "held-out rows", "12 of them training rows", or unknown. */
export function rowsOrigin(result: TableExplanation): string {
  if (result.trainingRows === null) return "rows of unknown origin";
  return result.trainingRows === 0 ? "held-out rows" : `${result.trainingRows} of them training rows`;
}

/**
 * The importance as a table for people: one row per column, most important first, with a bar;
 * for an ensemble, each member's figure beside the ensemble's.
 */
export function importanceLines(result: TableExplanation): string[] {
  const held = rowsOrigin(result);
  const words = metricWords(result.metric);
  const digits = decimals(result.metric, result.baseline);
  const lines = [
    `permutation importance on ${result.rows} rows of ${result.data} (${held}): ${words.score} ${result.baseline.toFixed(digits)}, ${result.repeats} shuffle${result.repeats === 1 ? "" : "s"} per column`,
  ];
  const members = result.members ?? [];
  const names = [
    "column",
    ...(members.length > 0 ? ["ensemble", ...members.map((m) => m.name)] : [words.harm]),
  ];
  const width = Math.max(6, ...result.importance.map((f) => f.feature.length)) + 2;
  const cell = 17;
  lines.push(
    pad(names[0], width) +
      names
        .slice(1)
        .map((n) => pad(n, cell))
        .join(" "),
  );
  const top = Math.max(1e-12, ...result.importance.map((f) => Math.abs(f.mean)));
  for (const f of result.importance) {
    const others = members.map((m) =>
      figure(
        m.importance.find((g) => g.feature === f.feature),
        digits,
      ),
    );
    const bar = "█".repeat(Math.max(0, Math.round((f.mean / top) * BAR)));
    lines.push(
      pad(f.feature, width) + [figure(f, digits), ...others].map((t) => pad(t, cell)).join(" ") + ` ${bar}`,
    );
  }
  if (members.length > 0)
    lines.push(
      `${words.score}: ${[["ensemble", result.baseline] as const, ...members.map((m) => [m.name, m.baseline] as const)].map(([n, v]) => `${n} ${v.toFixed(digits)}`).join(", ")}`,
    );
  lines.push(`what the number is: ${result.meaning}`);
  return lines;
}

/** Shades from light to dark, for a heatmap in a terminal. */
const SHADES = " ░▒▓█";

/** A heatmap (rows of non-negative numbers) as lines of shade characters, its maximum darkest. */
export function heatmapLines(heatmap: readonly (readonly number[])[], indent = "    "): string[] {
  const max = Math.max(1e-12, ...heatmap.flat());
  return heatmap.map(
    (row) =>
      indent +
      row
        .map((v) =>
          SHADES[Math.min(SHADES.length - 1, Math.round((v / max) * (SHADES.length - 1)))].repeat(2),
        )
        .join(""),
  );
}
