import type { Frame } from "../data/frame.js";
import type { Classifier } from "../estimators/estimator.js";
import { rowContributions } from "../explain/contributions.js";
import type { RowContributions } from "../explain/types.js";
import { argmaxRows } from "../util/matrix.js";

/** Columns named per row in the text output (the largest by size; --json has them all). */
const NAMED = 4;

/** One row's contributions toward the class it was predicted (binary: toward classes[1]). */
export interface RowWhy {
  readonly row: number;
  readonly predicted: string;
  /** The class the values push toward. */
  readonly toward: string;
  /** [column, contribution], largest by size first. */
  readonly top: readonly (readonly [string, number])[];
  readonly bias: number;
}

/** The first `n` rows' contributions, and for each the columns that moved it most. */
export async function explainRows(
  model: Classifier<Frame>,
  frame: Frame,
  n: number,
): Promise<{ contributions: RowContributions; rows: RowWhy[] }> {
  const rows = frame.take(Array.from({ length: Math.min(n, frame.nRows) }, (_, i) => i));
  const contributions = await rowContributions(model as Parameters<typeof rowContributions>[0], rows);
  const predicted = argmaxRows(await model.predictProba(rows));
  const classes = model.classes;
  return {
    contributions,
    rows: contributions.values.map((perClass, r) => {
      const p = classes[predicted[r]];
      // Binary models explain classes[1] only; otherwise the predicted class's own values.
      const at = contributions.classes.length === 1 ? 0 : Math.max(0, contributions.classes.indexOf(p));
      const values = perClass[at];
      const top = contributions.features
        .map((f, j) => [f, values[j]] as const)
        .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
      return {
        row: r,
        predicted: p,
        toward: contributions.classes[at],
        top,
        bias: contributions.bias[r][at],
      };
    }),
  };
}

/** "row 1: predicted yes; toward yes: glucose +0.81, bmi +0.22, … (from 0.35)". */
export function rowWhyLines(method: string, rows: readonly RowWhy[]): string[] {
  const sign = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
  return [
    `contributions per row (${method}):`,
    ...rows.map(
      (r) =>
        `  row ${r.row + 1}: predicted ${r.predicted}; toward ${r.toward}: ${r.top
          .slice(0, NAMED)
          .map(([f, v]) => `${f} ${sign(v)}`)
          .join(", ")}${r.top.length > NAMED ? ", …" : ""} (from ${sign(r.bias)})`,
    ),
  ];
}
