// train(): boosting rounds with evaluation and early stopping, like Python's xgboost.train.
import { Booster, type Params } from "./booster.js";
import type { DMatrix } from "./dmatrix.js";

export interface TrainOptions {
  /** Boosting rounds to run at most. */
  rounds: number;
  /** [matrix, name] pairs evaluated after every round, e.g. [[dvalid, "valid"]]. */
  evals?: [DMatrix, string][];
  /**
   * Stop when the last metric of the last eval set (as Python's xgboost) has not improved for
   * this many rounds. Needs at least one eval set.
   */
  earlyStoppingRounds?: number;
  /**
   * Whether a larger metric is better; default as Python's xgboost: true for auc*, aucpr*,
   * map*, ndcg*, pre*, false for every other metric.
   */
  maximize?: boolean;
  /** Called after every round with that round's metrics, e.g. { "valid-logloss": 0.52 }. */
  onIteration?: (iteration: number, metrics: Record<string, number>) => void;
}

export interface TrainResult {
  /** The trained booster, with every round run (not cut at bestIteration). */
  booster: Booster;
  /**
   * With early stopping, the round (from 0) whose score was best; predict with
   * iterationRange [0, bestIteration + 1]. Otherwise the last round.
   */
  bestIteration: number;
  /** The best (early stopping) or last score of the monitored metric; undefined without evals. */
  bestScore: number | undefined;
  /** Every round's metrics: history["valid-logloss"][iteration]. */
  history: Record<string, number[]>;
}

// Python's xgboost 1.7 (callback.EarlyStopping) tells direction by these prefixes ("auc" covers
// "aucpr" and "auc@n"); "pre" (precision at n), which it missed, is added as in later versions.
const MAXIMIZED_PREFIXES = ["auc", "map", "ndcg", "pre"];

/** Whether a larger value of `metric` (e.g. "auc", "ndcg@5", but not "logloss", "mape") is better. */
export function isMaximizedMetric(metric: string): boolean {
  return metric !== "mape" && MAXIMIZED_PREFIXES.some((m) => metric.startsWith(m));
}

function checkCount(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${what} must be an integer >= ${min}`);
}

/**
 * Trains a booster on `dtrain` for up to `options.rounds` rounds. The booster caches dtrain and
 * every eval set. Early stopping records best_iteration and best_score as model attributes too,
 * so they are saved with the model.
 */
export function train(params: Params, dtrain: DMatrix, options: TrainOptions): TrainResult {
  const { rounds, evals = [], earlyStoppingRounds } = options;
  checkCount(rounds, "rounds", 0);
  if (earlyStoppingRounds !== undefined) {
    checkCount(earlyStoppingRounds, "earlyStoppingRounds", 1);
    if (evals.length === 0) throw new TypeError("early stopping needs at least one eval set");
  }
  if (new Set(evals.map(([, name]) => name)).size !== evals.length)
    throw new TypeError("eval set names must be distinct (they key the metrics)");
  const booster = new Booster(params, [dtrain, ...evals.map(([d]) => d)]);
  try {
    return boost(booster, dtrain, evals, options);
  } catch (e) {
    booster.dispose();
    throw e;
  }
}

function boost(
  booster: Booster,
  dtrain: DMatrix,
  evals: [DMatrix, string][],
  options: TrainOptions,
): TrainResult {
  const history: Record<string, number[]> = {};
  let maximize = options.maximize;
  let best: { iteration: number; score: number } | undefined;
  let lastScore: number | undefined;
  for (let iteration = 0; iteration < options.rounds; iteration++) {
    booster.updateOneIter(iteration, dtrain);
    const metrics = evals.length ? booster.evalSetEntries(iteration, evals) : [];
    for (const [key, value] of metrics) {
      history[key] ??= [];
      history[key].push(value);
    }
    options.onIteration?.(iteration, Object.fromEntries(metrics));
    if (metrics.length === 0) continue;
    // XGBoost lists sets in the order given, each with its metrics in eval_metric's order.
    const [key, score] = metrics[metrics.length - 1];
    lastScore = score;
    if (options.earlyStoppingRounds === undefined) continue;
    maximize ??= isMaximizedMetric(key.slice(evals[evals.length - 1][1].length + 1));
    // Strictly better only, as Python's EarlyStopping (min_delta 0); the first round is the first best.
    if (!best || (maximize ? score > best.score : score < best.score)) {
      best = { iteration, score };
      booster.setAttr("best_iteration", String(iteration));
      booster.setAttr("best_score", String(score));
    } else if (iteration - best.iteration >= options.earlyStoppingRounds) {
      break;
    }
  }
  if (best) return { booster, bestIteration: best.iteration, bestScore: best.score, history };
  return { booster, bestIteration: booster.numBoostedRounds() - 1, bestScore: lastScore, history };
}
