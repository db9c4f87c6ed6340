import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { releaseCalls, type TrunkSplit } from "../models/transfer/split.js";
import { mirroredSource } from "../models/transfer/trunk.js";
import type { TrainResult } from "../train/loop.js";
import { type BatchSource, tensorSource } from "../train/sources.js";
import type { FitSplit } from "./network-types.js";
import { discriminativeGroups } from "./transfer-rates.js";
import type { TransferFitOptions, TransferRun } from "./transfer-run.js";
import type { TrunkReadings } from "./transfer-trunk.js";

/**
 * Fine-tuning without running the frozen trunk every epoch: its output (the layers below the
 * unfrozen blocks, in inference mode, so the same each time) was computed once per image and
 * orientation (`readings`, see readTrunk); each epoch trains the unfrozen blocks and the head on
 * it, every image mirrored or not at random (flips are the augmentation; crops would need the
 * trunk again). `toPooled` is the top and the network's pooling on the trunk's output. On
 * darknet-tiny at 128 px the trunk is about 60% of a forward pass.
 */
export async function fineTuneOnTrunk(
  run: TransferRun,
  readings: TrunkReadings,
  toPooled: tfl.LayersModel,
): Promise<TrainResult> {
  const { params: p, head, backbone, target, split } = run;
  const top = tfl.model({
    inputs: toPooled.inputs,
    outputs: head.apply(toPooled.outputs[0]) as tfl.SymbolicTensor,
  });
  const owned: tf.Tensor[] = [];
  try {
    const y = target.tensor(readings.fit.kept.map((k) => split.fit[k]));
    owned.push(y);
    let validation: BatchSource | undefined;
    if (readings.validation) {
      const vy = target.tensor(readings.validation.kept.map((k) => split.validation[k]));
      owned.push(vy);
      validation = tensorSource(readings.validation.plain, vy, { batchSize: 256 });
    }
    const phaseStart = performance.now();
    const result = await run.loop(
      top,
      mirroredSource(readings.fit.plain, readings.fit.mirrored, y, {
        batchSize: p.batchSize,
        seed: p.seed + 2,
      }),
      validation,
      {
        epochs: p.epochsFine,
        learningRate: p.fineLearningRate,
        schedule: p.fineSchedule,
        patience: 0,
        ...target.loss,
        layerGroups: discriminativeGroups(backbone, p.lrMult),
        save: run.save,
      },
      p.seed + 2,
    );
    run.time({ name: "fine-tune", seconds: (performance.now() - phaseStart) / 1000 });
    return result;
  } finally {
    tf.dispose(owned);
    releaseCalls([head]);
  }
}

/**
 * Whether the trunk's activations for every training image (twice: as it is and mirrored) and
 * every validation image fit in `trunkCacheMiB` (a fit option, default 2048 MiB); otherwise
 * fine-tuning runs on whole images.
 */
export function fitsInMemory(parts: TrunkSplit, split: FitSplit, options: TransferFitOptions): boolean {
  const perImage = parts.trunk.outputs[0].shape.slice(1).reduce((a: number, b) => a * (b ?? 1), 1);
  const bytes = 4 * perImage * (2 * split.fit.length + split.validation.length);
  return bytes <= (options.trunkCacheMiB ?? 2048) * 2 ** 20;
}
