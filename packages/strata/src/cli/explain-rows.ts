import type { Frame } from "../data/frame.js";
import type { Classifier } from "../estimators/estimator.js";
import type { Regressor } from "../estimators/regressor.js";
import { rowContributions } from "../explain/contributions.js";
import type { RowContributions } from "../explain/types.js";
import { argmaxRows, type Matrix } from "../util/matrix.js";

/** The column `strata predict --explain` adds after the probabilities. */
export const WHY_COLUMN = "why";

/** Columns named per row in the text output (the largest by size; --json has them all). */
const NAMED = 4;

/** One row's contributions toward the class it was predicted, or to a regressor's prediction. */
export interface RowWhy {
  readonly row: number;
  /** The predicted class, or a regressor's prediction as text. */
  readonly predicted: string;
  /** The class the values push toward; absent for a regressor (they move the prediction itself). */
  readonly toward?: string;
  /** [column, contribution], largest by size first. */
  readonly top: readonly (readonly [string, number])[];
  readonly bias: number;
}

/** The contributions of the first `n` rows of `frame`. */
function firstRows(frame: Frame, n: number): Frame {
  return frame.take(Array.from({ length: Math.min(n, frame.nRows) }, (_, i) => i));
}

function ranked(features: readonly string[], values: readonly number[]): [string, number][] {
  return features
    .map((f, j) => [f, values[j]] as [string, number])
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
}

/** The first `n` rows' contributions, and for each the columns that moved it most. */
export async function explainRows(
  model: Classifier<Frame>,
  frame: Frame,
  n: number,
  /** The model's probabilities for (at least) these rows, when the caller has them already. */
  proba?: Matrix,
): Promise<{ contributions: RowContributions; rows: RowWhy[] }> {
  const rows = firstRows(frame, n);
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
      const margin = contributions.output === "margin";
      return {
        row: r,
        predicted: p,
        toward: flip ? p : contributions.classes[at],
        top: ranked(contributions.features, values),
        bias: flip ? (margin ? -bias : 1 - bias) : bias,
      };
    }),
  };
}

/**
 * A regressor's first `n` rows' contributions (in the target's units, adding up to each
 * prediction from the bias), and for each the columns that moved it most.
 */
export async function explainRegressorRows(
  model: Regressor<Frame>,
  frame: Frame,
  n: number,
  /** The model's predictions for (at least) these rows, when the caller has them already. */
  predictions?: Float64Array,
): Promise<{ contributions: RowContributions; rows: RowWhy[] }> {
  const rows = firstRows(frame, n);
  const contributions = await rowContributions(model as Parameters<typeof rowContributions>[0], rows);
  const predicted = predictions ?? (await model.predict(rows));
  return {
    contributions,
    rows: contributions.values.map((values, r) => ({
      row: r,
      predicted: formatNumber(predicted[r]),
      top: ranked(contributions.features, values[0]),
      bias: contributions.bias[r][0],
    })),
  };
}

/** A prediction for people: four significant digits (5.623, 31250). */
function formatNumber(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/**
 * "row 1: predicted yes; toward yes: glucose +0.81, bmi +0.22, … (from 0.35)", or for a
 * regressor "row 1: predicted 6.613: alcohol +0.429, … (from 5.577)", the prediction at the baseline.
 */
export function rowWhyLines(method: string, rows: readonly RowWhy[]): string[] {
  const sign = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
  return [
    `contributions per row (${method}):`,
    ...rows.map(
      (r) =>
        `  row ${r.row + 1}: predicted ${r.predicted}${r.toward === undefined ? "" : `; toward ${r.toward}`}: ${r.top
          .slice(0, NAMED)
          .map(([f, v]) => `${f} ${sign(v)}`)
          .join(
            ", ",
          )}${r.top.length > NAMED ? ", …" : ""} (from ${r.toward === undefined ? formatNumber(r.bias) : sign(r.bias)})`,
    ),
  ];
}
