import type * as tfl from "@tensorflow/tfjs-layers";
import { backboneLayers, freezeFirst, topBlocksStart } from "../models/transfer/freeze.js";
import { keepBatchNormInference } from "../models/transfer/frozen-batch-norm.js";
import { releaseCalls, splitAtLayer } from "../models/transfer/split.js";
import type { TrainResult } from "../train/loop.js";
import { fineTuneOnTrunk, fitsInMemory } from "./transfer-fine-tune.js";
import { trainHeadOnFeatures } from "./transfer-head.js";
import { trainOnImages } from "./transfer-images.js";
import type { TransferRun } from "./transfer-run.js";

/**
 * fastai's `fine_tune`, the recipe of a transfer fit: first the head with the backbone frozen
 * (`frozen` of its layers; all of them: on cached features), then, when `fineTune` blocks are
 * to be unfrozen, those top blocks and the head together at lower, discriminative rates (on the
 * frozen trunk's cached activations when they fit in memory, else on whole images), with
 * frozen batch-norm layers kept in inference mode. The backbone ends wholly frozen again. A
 * callback that stops the head phase stops the fit: no fine-tuning after it.
 *
 * `features` and `featureKey` are the backbone's pooled features and their cache key.
 * Returns the fit's record, the phases' epochs numbered on.
 */
export async function fineTuneRecipe(
  run: TransferRun,
  frozen: number,
  features: tfl.LayersModel,
  featureKey: string,
): Promise<TrainResult> {
  const { params: p, backbone } = run;
  const phases: TrainResult[] = [];
  freezeFirst(backbone, frozen);
  phases.push(
    frozen === backboneLayers(backbone).length
      ? await trainHeadOnFeatures(run, features, featureKey)
      : await trainOnImages(run, "layers", p.epochs),
  );
  if (p.fineTune > 0 && p.epochsFine > 0 && !phases[0].stoppedByCallback) {
    const start = Math.min(frozen, topBlocksStart(backbone, p.fineTune));
    freezeFirst(backbone, start);
    keepBatchNormInference(backbone);
    const parts = p.trunkCache ? splitAtLayer(backbone, start) : undefined;
    const cached = parts && fitsInMemory(parts, run.split, run.options) ? parts : undefined;
    if (parts && !cached) releaseCalls(parts.applied);
    phases.push(cached ? await fineTuneOnTrunk(run, cached) : await trainOnImages(run, "fine", p.epochsFine));
  }
  freezeFirst(backbone, backboneLayers(backbone).length);
  return joinPhases(phases);
}

/** One fit's record from its phases, epochs numbered on. */
function joinPhases(phases: readonly TrainResult[]): TrainResult {
  const last = phases[phases.length - 1];
  const before = phases.slice(0, -1).reduce((n, r) => n + r.epochsRun, 0);
  return {
    epochsRun: phases.reduce((n, r) => n + r.epochsRun, 0),
    bestEpoch: before + last.bestEpoch,
    stoppedEarly: last.stoppedEarly,
    stoppedByCallback: phases.some((r) => r.stoppedByCallback),
    history: phases.flatMap((r) => r.history),
    seconds: phases.reduce((n, r) => n + r.seconds, 0),
  };
}
