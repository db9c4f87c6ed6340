import type { Frame } from "../data/frame.js";
import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { rmse } from "../metrics/regression.js";
import type { Split } from "../split/types.js";
import type { AutoRegressorStack } from "./auto-regressor-stack.js";
import { type LeaderboardRow, meanAndStd } from "./auto-search.js";
import { crossValPredictRegressor } from "./cross-val-predict-regressor.js";
import type { KindResolver } from "./descriptor.js";
import type { EstimatorSpec } from "./estimator.js";
import type { Regressor, RegressorFitOptions } from "./regressor.js";

/** The rows every candidate is cross-validated on (the training rows only), and how they are split. */
export interface RegressionSearchData {
  readonly x: Frame;
  readonly y: Float64Array;
  readonly groups?: readonly string[];
  readonly folds: number;
  readonly seed: number;
  /** regressionSplits of y with these folds, seed and groups: what crossValPredictRegressor splits by. */
  readonly splits: readonly Split[];
}

/** How the fold fits run. */
export interface RegressionSearchRun {
  /** Who asks, to start messages and progress with (e.g. "AutoRegressor"). */
  readonly owner: string;
  /** XGBoost candidates' threads (their fit option). */
  readonly threads?: number;
  /** Called as each fold's fit ends: e.g. "AutoRegressor: candidate ridge, fold 2 of 5". */
  readonly onFit?: (what: string, seconds: number) => void;
}

/** What the cross-validation found: each candidate's fold RMSEs and seconds, and the singles' out-of-fold predictions. */
export interface RegressionSearchResult {
  /** In the candidates' order (the stack where it was given); mean and std are RMSE's. */
  readonly rows: readonly Omit<LeaderboardRow, "chosen">[];
  /** Each single candidate's out-of-fold predictions: what a stack of them learns from. */
  readonly outOfFold: readonly Float64Array[];
}

/**
 * An unfitted candidate through the kinds (either name of a regressor kind), refused by name when
 * its kind is unknown, its params bad, or it takes images.
 */
export function createCandidate(
  owner: string,
  spec: EstimatorSpec,
  name: string,
  kinds: KindResolver,
): Regressor<TableData> {
  const what = `${owner}: candidate ${name}`;
  let made: ReturnType<KindResolver["createRegressor"]>;
  try {
    made = kinds.createRegressor(spec);
  } catch (e) {
    if (e instanceof StrataError) throw new StrataError(`${what}: ${e.message}`, { params: e.params });
    throw e;
  }
  if (made.input === "table") return made;
  made.dispose();
  throw new StrataError(`${what} takes images; the candidates are table models`);
}

/**
 * Cross-validates the candidates on the same folds, scored by RMSE on each fold's held-out rows:
 * the single models one after another (crossValPredictRegressor, as a stack's members), the stack
 * (when `stack` is given) from those same out-of-fold predictions, its Ridge meta-model fitted on
 * each fold's training rows and scored on its held-out rows (as search-candidates does for the
 * classifier's stack, with the same slight optimism). A model's seconds: the mean over folds of
 * one fold's fit and prediction; the stack's, its members' summed plus its meta-model's.
 */
export async function searchRegressors(
  kinds: KindResolver,
  singles: readonly { readonly name: string; readonly spec: EstimatorSpec }[],
  stack: { readonly name: string; readonly at: number; readonly model: AutoRegressorStack } | undefined,
  data: RegressionSearchData,
  run: RegressionSearchRun,
): Promise<RegressionSearchResult> {
  const k = data.splits.length;
  const rows: Omit<LeaderboardRow, "chosen">[] = [];
  const outOfFold: Float64Array[] = [];
  const y = Array.from(data.y);
  for (const single of singles) {
    const owner = `${run.owner}: candidate ${single.name}`;
    const template = createCandidate(run.owner, single.spec, single.name, kinds);
    let seconds = 0;
    try {
      outOfFold.push(
        await crossValPredictRegressor(template, data.x, y, {
          folds: data.folds,
          seed: data.seed,
          groups: data.groups,
          owner,
          fitOptions: { threads: run.threads } as RegressorFitOptions,
          onFold: (fold, all, s) => {
            seconds += s;
            run.onFit?.(`${owner}, fold ${fold} of ${all}`, s);
          },
        }),
      );
    } finally {
      template.dispose();
    }
    const p = outOfFold[outOfFold.length - 1];
    rows.push({
      name: single.name,
      ...meanAndStd(data.splits.map((split) => foldRmse(data.y, p, split.test))),
      seconds: seconds / k,
    });
  }
  if (stack) {
    const started = performance.now();
    const scores: number[] = [];
    for (const split of data.splits) {
      const take = (p: Float64Array, at: readonly number[]) => Float64Array.from(at, (r) => p[r]);
      const meta = await stack.model.fitMeta(
        take(data.y, split.train),
        outOfFold.map((p) => take(p, split.train)),
      );
      const predicted = stack.model.predictMeta(
        outOfFold.map((p) => take(p, split.test)),
        meta,
      );
      scores.push(rmse(take(data.y, split.test), predicted));
    }
    const members = rows.reduce((sum, r) => sum + r.seconds, 0);
    const metaSeconds = (performance.now() - started) / 1000;
    rows.splice(stack.at, 0, { name: stack.name, ...meanAndStd(scores), seconds: members + metaSeconds / k });
  }
  return { rows, outOfFold };
}

/** RMSE of out-of-fold predictions on a fold's held-out rows. */
function foldRmse(y: Float64Array, predicted: Float64Array, test: readonly number[]): number {
  return rmse(
    test.map((r) => y[r]),
    test.map((r) => predicted[r]),
  );
}
