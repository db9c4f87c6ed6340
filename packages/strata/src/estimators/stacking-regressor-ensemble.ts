import { type Column, Frame } from "../data/frame.js";
import { StrataError } from "../errors.js";
import type { Params } from "../util/params.js";
import type { KindResolver } from "./descriptor.js";
import type { Manifest } from "./estimator.js";
import { checkSavedParams } from "./param-check.js";
import { type RegressorCombinerData, RegressorEnsemble } from "./regressor-ensemble.js";
import { STACKING_REGRESSOR_PARAMS, type StackingRegressorParams } from "./regressor-ensemble-params.js";
import { RidgeRegressor } from "./ridge.js";

/** The Ridge meta-model, fitted: predicts intercept + Σ coef[i] · member i's prediction. */
export interface MetaWeights {
  /** One per member, in the members' order. */
  readonly coef: readonly number[];
  readonly intercept: number;
}

/**
 * Stacked generalisation for regressors (Wolpert 1992; scikit-learn's StackingRegressor, whose
 * fit delegates to cross_val_predict as this does): each member's out-of-fold predictions over
 * `folds` k-fold splits (crossValPredictRegressor: grouped when fit gets `groups`, otherwise
 * stratified by the target's quantiles), a Ridge meta-model (`alpha`) on them, on the
 * predictions as they are (not standardised, so its coefficients are the members' weights), then
 * every member refit on all rows; predict runs the members and the meta-model. The raw columns
 * are not passed to the meta-model (scikit-learn's passthrough is not offered).
 *
 * The members are made and read through the kinds it is given: the list of kinds
 * (estimators/kinds.ts, stack's twin) makes it with its own resolver. `StackingRegressor`
 * (stacking-regressor.ts) is this bound to strata's kinds.
 */
export class StackingRegressorEnsemble extends RegressorEnsemble<StackingRegressorParams, MetaWeights> {
  readonly kind = "stack-regressor";

  constructor(params: Partial<StackingRegressorParams>, kinds: KindResolver) {
    super("StackingRegressor", STACKING_REGRESSOR_PARAMS, params, kinds);
  }

  /** Reads a directory written by writeFiles (its manifest checked), the members through `kinds`. */
  static async read(
    dir: string,
    manifest: Manifest,
    kinds: KindResolver,
  ): Promise<StackingRegressorEnsemble> {
    const params = manifest.params as Partial<StackingRegressorParams>;
    return checkSavedParams(dir, () => new StackingRegressorEnsemble(params, kinds)).readState(dir, manifest);
  }

  /** The fitted meta-model: one coefficient per member (in `memberNames`' order) and the intercept. */
  get metaWeights(): MetaWeights {
    const { coef, intercept } = this.fitted().combiner;
    return { coef: [...coef], intercept };
  }

  protected outOfFoldFolds(): { folds: number; seed: number } {
    return { folds: this.params.folds, seed: this.params.seed };
  }

  protected async learnCombiner({ y, outOfFold }: RegressorCombinerData): Promise<MetaWeights> {
    if (!outOfFold) throw new Error("StackingRegressor: the fit gave no out-of-fold predictions");
    const columns = new Map<string, Column>(
      outOfFold.map((p, i) => [columnName(i), { kind: "numeric", values: p }]),
    );
    const meta = new RidgeRegressor({ alpha: this.params.alpha, standardize: false });
    try {
      await meta.fit(new Frame(columns), Array.from(y));
      const names = meta.preprocessor.outputNames;
      const { coef, intercept } = meta.coefficients;
      // Numeric columns keep their order through the preprocessing: coefficient i is member i's.
      if (names.join("\0") !== outOfFold.map((_, i) => columnName(i)).join("\0"))
        throw new Error(`StackingRegressor: the meta-model's columns came out as ${names.join(", ")}`);
      return { coef, intercept };
    } finally {
      meta.dispose();
    }
  }

  protected combine(predictions: readonly Float64Array[], { coef, intercept }: MetaWeights): Float64Array {
    const out = new Float64Array(predictions[0].length).fill(intercept);
    for (const [i, p] of predictions.entries()) for (let r = 0; r < out.length; r++) out[r] += coef[i] * p[r];
    return out;
  }

  protected combinerJson({ coef, intercept }: MetaWeights): Params {
    return { coef: [...coef], intercept };
  }

  protected readCombiner(saved: Params, path: string): MetaWeights {
    const { coef, intercept } = saved;
    const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
    if (!Array.isArray(coef) || coef.length !== this.params.members.length || !coef.every(finite))
      throw new StrataError(`${path}: damaged: "combiner.coef" is not one finite number per member`);
    if (!finite(intercept))
      throw new StrataError(`${path}: damaged: "combiner.intercept" is not a finite number`);
    return { coef: coef as number[], intercept };
  }
}

/** The meta-model's column of member i's predictions. */
function columnName(i: number): string {
  return `member${i + 1}`;
}
