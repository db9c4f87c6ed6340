import { StrataError } from "../errors.js";
import type { FitSummary } from "./estimator.js";
import { EstimatorBase, type EstimatorState } from "./estimator-base.js";
import { writeManifest } from "./manifest.js";

export type { AnyRegressor, Regressor, RegressorFitOptions } from "./regressor-types.js";

/*
 * Regression (issue 24): the twin of estimator.ts's Classifier for numeric targets. The same
 * contract (hyperparameters only in the constructor, getParams/clone, seeded fit, atomic save and
 * a loader that gives the same predictions), with numbers for y and a number per row out.
 */

/** What every fitted regressor's state holds (each kind adds its model). */
export type RegressorState = EstimatorState;

/**
 * The target as finite numbers (a Float64Array), or a StrataError naming the first row that is
 * not one ("row 12: the target is NaN; a regression target must be a finite number").
 */
export function targetValues(y: readonly number[], rows: number): Float64Array {
  if (y.length !== rows)
    throw new StrataError(`the target has ${y.length} values for ${rows} rows; give one number per row`);
  const out = Float64Array.from(y);
  for (let i = 0; i < out.length; i++)
    if (!Number.isFinite(out[i]))
      throw new StrataError(
        `row ${i + 1}: the target is ${String(y[i])}; a regression target must be a finite number`,
      );
  return out;
}

/**
 * What every strata regressor shares beside what every estimator does (EstimatorBase: params,
 * getParams, clone, the fit guard, the atomic save): the task in its strata.json. A kind says how it
 * fits, predicts, writes its files (writeFiles, with writeOwnManifest) and frees what it holds.
 */
export abstract class RegressorBase<P extends object, S extends RegressorState> extends EstimatorBase<P, S> {
  readonly task = "regression" as const;

  /** Writes `dir/strata.json`: kind, input, params, no classes, and the task. */
  protected async writeOwnManifest(
    dir: string,
    fields: { fitSummary?: FitSummary; files: readonly string[] },
  ): Promise<void> {
    await writeManifest(dir, {
      kind: this.kind,
      input: this.input,
      params: this.getParams(),
      classes: [],
      labelType: "number",
      task: "regression",
      fitSummary: fields.fitSummary,
      files: fields.files,
    });
  }
}
