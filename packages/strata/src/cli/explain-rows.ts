import type { Frame } from "../data/frame.js";
import type { Classifier } from "../estimators/estimator.js";
import { rowContributions } from "../explain/contributions.js";
import type { RowContributions } from "../explain/types.js";
import { argmaxRows, type Matrix } from "../util/matrix.js";

/** The column `strata predict --explain` adds after the probabilities. */
export const WHY_COLUMN = "why";

/** Columns named per row in the text output (the largest by size; --json has them all). */
const NAMED = 4;

/** One row's contributions toward the class it was predicted. */
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
  /** The model's probabilities for (at least) these rows, when the caller has them already. */
  proba?: Matrix,
): Promise<{ contributions: RowContributions; rows: RowWhy[] }> {
  const rows = frame.take(Array.from({ length: Math.min(n, frame.nRows) }, (_, i) => i));
  const contributions = await rowContributions(model as Parameters<typeof rowContributions>[0], rows);
  const predicted = argmaxRows(proba ?? (await model.predictProba(rows)));
  const classes = model.classes;
  return {
    contributions,
    rows: contributions.values.map((perClass, r) => {
      const p = classes[predicted[r]];
      const binary = contributions.classes.length === 1;
      // A binary model's values push toward classes[1]; toward the other class they are the same
      // with the sign flipped (a margin's negation, or 1 − a probability, for the bias).
      const flip = binary && p !== contributions.classes[0];
      const at = binary ? 0 : Math.max(0, contributions.classes.indexOf(p));
      const values = perClass[at].map((v) => (flip ? -v : v));
      const bias = contributions.bias[r][at];
      const margin = contributions.method.startsWith("TreeSHAP");
      const top = contributions.features
        .map((f, j) => [f, values[j]] as const)
        .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
      return {
        row: r,
        predicted: p,
        toward: flip ? p : contributions.classes[at],
        top,
        bias: flip ? (margin ? -bias : 1 - bias) : bias,
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
