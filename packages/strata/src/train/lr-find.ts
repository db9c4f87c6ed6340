import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { fusedAdam } from "strata-ml-torch/optimizers";
import { StrataError } from "../errors.js";
import { yieldToEventLoop } from "../util/yield.js";
import { useFrozenBatchNormInference } from "./frozen-batch-norm.js";
import { requireKernels } from "./kernels.js";
import type { TrainListener } from "./listener.js";
import { type LrPoint, type LrSuggestion, valleySuggestion } from "./lr-rule.js";
import { stepRunner } from "./runner.js";
import type { BatchSource } from "./sources.js";
import type { LossChoice, ParamGroup } from "./step.js";
import { mutableWeights, readWeights, unfrozenLayers, writeWeights } from "./weights.js";

export type { LrPoint } from "./lr-rule.js";

/** What a learning-rate sweep found: the curve, the suggested rate and the rule that picked it. */
export interface LrFindResult extends LrSuggestion {
  /** (rate, smoothed loss) after each step, rates rising. */
  readonly points: readonly LrPoint[];
  /** Steps trained (fewer than asked when the loss blew up first). */
  readonly steps: number;
}

export interface LrSweepOptions {
  /** The loss the sweep trains with: the fit's (default cross-entropy; MSE or Huber for a regressor). */
  readonly loss?: LossChoice;
  /** The first step's rate (default 1e-7). */
  readonly startLr?: number;
  /** The rate the last step would reach (default 10). */
  readonly endLr?: number;
  /** Most steps (default 100); the batches repeat over as many epochs as that takes. */
  readonly steps?: number;
  /** Stop once the smoothed loss exceeds this many times its minimum (default 4). */
  readonly divergeFactor?: number;
  /** The smoothing's weight on the past (default 0.98). */
  readonly beta?: number;
  /** Progress: one "epoch" whose batches are the sweep's steps. */
  readonly listener?: TrainListener;
}

/**
 * fastai's `lr_find`: trains `model` with Adam from its present (fresh) weights, the rate
 * growing exponentially from startLr to endLr over the steps, records the smoothed loss at each
 * rate, stops early when it blows up (above divergeFactor × its minimum, or not finite), and
 * suggests a rate by the valley rule. The model's weights are put back as they were and
 * everything the sweep made is freed, however it ends. Shuffling follows `train`'s per-epoch
 * order and dropout Math.random (seed it around the call): the same data and seed give the
 * same curve.
 */
export async function sweepLearningRate(
  model: tfl.LayersModel,
  train: BatchSource,
  options: LrSweepOptions = {},
): Promise<LrFindResult> {
  const start = options.startLr ?? 1e-7;
  const end = options.endLr ?? 10;
  const steps = options.steps ?? 100;
  const factor = options.divergeFactor ?? 4;
  const beta = options.beta ?? 0.98;
  requireKernels(model, "train");
  useFrozenBatchNormInference();
  const weights = mutableWeights(model);
  const initial = readWeights(weights);
  const variables = unfrozenLayers(model).flatMap((l) =>
    l.trainableWeights.map((w) => w.read() as tf.Variable),
  );
  const group: ParamGroup = { variables, optimizer: fusedAdam(start) };
  const runner = stepRunner(model, [group], options.loss);
  const points: LrPoint[] = [];
  const listener = options.listener;
  listener?.onTrainStart?.({ epochs: 1, batchesPerEpoch: steps, samples: train.samples, label: "lr-find" });
  let average = 0;
  let best = Number.POSITIVE_INFINITY;
  try {
    sweep: for (let epoch = 0; ; epoch++) {
      for await (const batch of runner.batches(train, epoch)) {
        const step = points.length;
        const lr = start * (end / start) ** (steps > 1 ? step / (steps - 1) : 0);
        group.optimizer.setLearningRate(lr);
        const { loss, accuracy } = await batch.run();
        average = beta * average + (1 - beta) * loss;
        const smoothed = average / (1 - beta ** (step + 1));
        points.push({ lr, loss: smoothed });
        listener?.onBatchEnd?.(step + 1, steps, { loss, accuracy });
        await yieldToEventLoop();
        if (!Number.isFinite(smoothed) || smoothed > factor * best || points.length >= steps) break sweep;
        best = Math.min(best, smoothed);
      }
      if (points.length === 0) throw new StrataError("lr-find: the training data gave no batches");
    }
  } finally {
    writeWeights(weights, initial);
    tf.dispose(initial);
    runner.dispose();
    group.optimizer.dispose();
  }
  const finite = points.filter((p) => Number.isFinite(p.loss));
  return { ...valleySuggestion(finite), points: finite, steps: points.length };
}
