import * as tfl from "@tensorflow/tfjs-layers";
import { backboneLayers, freezeFirst, topBlocksStart } from "../models/transfer/freeze.js";
import { keepBatchNormInference } from "../models/transfer/frozen-batch-norm.js";
import { releaseCalls, splitAtLayer, type TrunkSplit } from "../models/transfer/split.js";
import type { TrainResult } from "../train/loop.js";
import { fineTuneOnTrunk, fitsInMemory } from "./transfer-fine-tune.js";
import { trainHeadOnFeatures } from "./transfer-head.js";
import { trainOnImages } from "./transfer-images.js";
import type { TransferRun } from "./transfer-run.js";
import { featuresFromTrunk, readTrunk } from "./transfer-trunk.js";

/**
 * fastai's `fine_tune`, the recipe of a transfer fit: first the head with the backbone frozen
 * (`frozen` of its layers; all of them: on cached features), then, when `fineTune` blocks are
 * to be unfrozen, those top blocks and the head together at lower, discriminative rates (on the
 * frozen trunk's cached activations when they fit in memory, else on whole images), with
 * frozen batch-norm layers kept in inference mode. The backbone ends wholly frozen again. A
 * callback that stops the head phase stops the fit: no fine-tuning after it. When both phases
 * use the trunk (head on features, fine-tuning on cached activations), it runs once: the
 * features of images not in the feature cache come from its activations.
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
  const onFeatures = frozen === backboneLayers(backbone).length;
  const fine = p.fineTune > 0 && p.epochsFine > 0;
  const start = fine ? Math.min(frozen, topBlocksStart(backbone, p.fineTune)) : 0;
  const trunk = fine && p.trunkCache ? cachedTrunk(run, start) : undefined;
  try {
    // The trunk's activations, when fine-tuning will train on them, are read before the head
    // phase so that its features come from them: the trunk then runs once for both phases.
    let readings = trunk && onFeatures ? await readTrunk(run, trunk.parts) : undefined;
    try {
      freezeFirst(backbone, frozen);
      phases.push(
        onFeatures
          ? await trainHeadOnFeatures(
              run,
              features,
              featureKey,
              readings && trunk ? featuresFromTrunk(run, readings, trunk.toPooled) : undefined,
            )
          : await trainOnImages(run, "layers", p.epochs),
      );
      if (fine && !phases[0].stoppedByCallback) {
        freezeFirst(backbone, start);
        keepBatchNormInference(backbone);
        if (trunk) {
          readings ??= await readTrunk(run, trunk.parts); // disposed below, whichever phase read it
          phases.push(await fineTuneOnTrunk(run, readings, trunk.toPooled));
        } else phases.push(await trainOnImages(run, "fine", p.epochsFine));
      }
    } finally {
      readings?.dispose();
    }
  } finally {
    trunk?.release();
  }
  freezeFirst(backbone, backboneLayers(backbone).length);
  return joinPhases(phases);
}

/**
 * The backbone split before layer `start` for fine-tuning on cached trunk activations, with the
 * top and the network's pooling as one model (trunk output → pooled features), when the split
 * exists and the activations fit in memory; undefined otherwise (fine-tuning on whole images).
 * `release` gives back the calls the split and the pooling added to shared layers.
 */
function cachedTrunk(
  run: TransferRun,
  start: number,
): { parts: TrunkSplit; toPooled: tfl.LayersModel; release(): void } | undefined {
  const parts = splitAtLayer(run.backbone, start);
  if (!parts) return undefined;
  if (!fitsInMemory(parts, run.split, run.options)) {
    releaseCalls(parts.applied);
    return undefined;
  }
  const pool = run.network.getLayer("pool");
  const pooled = pool.apply(parts.top.outputs[0]) as tfl.SymbolicTensor;
  return {
    parts,
    toPooled: tfl.model({ inputs: parts.top.inputs, outputs: pooled }),
    release: () => releaseCalls([...parts.applied, pool]),
  };
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
