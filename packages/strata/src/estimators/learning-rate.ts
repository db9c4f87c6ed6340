import type * as tfl from "@tensorflow/tfjs-layers";
import type { TrainListener } from "../train/listener.js";
import type { TrainConfig } from "../train/loop.js";
import { type LrFindResult, sweepLearningRate } from "../train/lr-find.js";
import type { BatchSource } from "../train/sources.js";
import { withSeededMathRandom } from "../util/random.js";
import type { FitSummary } from "./estimator.js";

/*
 * `learningRate: "auto"` (`--lr auto`): before a network trains, a learning-rate sweep on its
 * training batches (train/lr-find.ts) picks the rate. The params keep "auto"; the fit summary
 * records the number chosen (FitSummary.learningRate), so a saved model says both.
 */

/** A network's learning rate: a number, or "auto" to pick one by a sweep before training. */
export type LearningRate = number | "auto";

/** The rate an auto fit picked, and the rule's name. */
export interface ChosenRate {
  readonly chosen: number;
  readonly rule: string;
  /** The sweep's curve, (rate, smoothed loss) per step. */
  readonly points: readonly { readonly lr: number; readonly loss: number }[];
}

/**
 * The training loop's rate for a param: the number, or NaN for "auto", which `chooseRate`
 * replaces before the loop runs (a NaN that reached the loop would fail it as diverged).
 */
export function configRate(rate: LearningRate): number {
  return rate === "auto" ? Number.NaN : rate;
}

/** Thrown after the sweep when the fit was started only for it (see `lrFindOnly`); carries the curve. */
export class LrFindDone extends Error {
  constructor(readonly result: LrFindResult) {
    super("lr-find: the sweep is done (the fit stops here)");
    this.name = "LrFindDone";
  }
}

const ONLY = Symbol("strata.lrFindOnly");

/**
 * A listener that makes an auto-rate fit stop right after its sweep, throwing LrFindDone with
 * the result (what `findLearningRate` does); progress goes to `progress`.
 */
export function lrFindOnly(progress?: TrainListener): TrainListener {
  return { ...bound(progress), [ONLY]: true } as TrainListener;
}

/**
 * When `config`'s rate is "auto" (NaN, see configRate): sweeps the learning rate on `network`
 * from its fresh weights and the training batches with the config's loss (seeded by `seed`; the
 * weights are put back), and gives the config with the suggested rate and what was chosen. Any other config comes back
 * as it is.
 */
export async function chooseRate(
  network: tfl.LayersModel,
  train: BatchSource,
  config: TrainConfig,
  listener: TrainListener | undefined,
  seed: number,
): Promise<{ config: TrainConfig; chosen?: ChosenRate }> {
  if (!Number.isNaN(config.learningRate)) return { config };
  // The sweep trains with the fit's loss (a regressor's MSE or Huber), so its curve is the fit's.
  const loss = { loss: config.loss, huberDelta: config.huberDelta };
  const result = await withSeededMathRandom(seed, () =>
    sweepLearningRate(network, train, { listener, loss }),
  );
  if (listener && (listener as Record<symbol, unknown>)[ONLY]) throw new LrFindDone(result);
  return {
    config: { ...config, learningRate: result.suggested },
    chosen: { chosen: result.suggested, rule: result.rule, points: result.points },
  };
}

/** `summary` with the rate an auto fit chose (as it is when none was chosen). */
export function withChosenRate(summary: FitSummary, chosen: ChosenRate | undefined): FitSummary {
  return chosen ? { ...summary, learningRate: chosen } : summary;
}

/** A listener's methods bound to it (so that spreading it into another object keeps `this`). */
function bound(listener: TrainListener | undefined): TrainListener {
  if (!listener) return {};
  return {
    onTrainStart: listener.onTrainStart?.bind(listener),
    onBatchEnd: listener.onBatchEnd?.bind(listener),
    onEpochEnd: listener.onEpochEnd?.bind(listener),
    onTrainEnd: listener.onTrainEnd?.bind(listener),
  };
}
