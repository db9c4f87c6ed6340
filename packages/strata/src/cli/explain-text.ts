import type { FeatureImportance } from "../explain/types.js";
import type { TableExplanation } from "./explain-table.js";

const BAR = 24;

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function figure(f: FeatureImportance | undefined): string {
  return f === undefined ? "" : `${f.mean >= 0 ? " " : ""}${f.mean.toFixed(3)} ± ${f.std.toFixed(3)}`;
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
  const lines = [
    `permutation importance on ${result.rows} rows of ${result.data} (${held}): accuracy ${result.baseline.toFixed(3)}, ${result.repeats} shuffle${result.repeats === 1 ? "" : "s"} per column`,
  ];
  const members = result.members ?? [];
  const names = [
    "column",
    ...(members.length > 0 ? ["ensemble", ...members.map((m) => m.name)] : ["drop in accuracy"]),
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
    const others = members.map((m) => figure(m.importance.find((g) => g.feature === f.feature)));
    const bar = "█".repeat(Math.max(0, Math.round((f.mean / top) * BAR)));
    lines.push(pad(f.feature, width) + [figure(f), ...others].map((t) => pad(t, cell)).join(" ") + ` ${bar}`);
  }
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
