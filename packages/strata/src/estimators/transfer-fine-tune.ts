import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import { releaseCalls, type TrunkSplit } from "../models/transfer/split.js";
import { mirroredSource, trunkActivations } from "../models/transfer/trunk.js";
import { predictTensor } from "../train/forward.js";
import type { TrainResult } from "../train/loop.js";
import { type BatchSource, tensorSource } from "../train/sources.js";
import { targetTensor } from "./labels.js";
import type { FitSplit } from "./network-types.js";
import { discriminativeGroups } from "./transfer-rates.js";
import type { TransferFitOptions, TransferRun } from "./transfer-run.js";

/**
 * Fine-tuning without running the frozen trunk every epoch: its output (the layers below the
 * unfrozen blocks, in inference mode, so the same each time) is computed once per image and
 * orientation and kept in memory; each epoch trains the unfrozen blocks and the head on it,
 * every image mirrored or not at random (flips are the augmentation; crops would need the
 * trunk again). On darknet-tiny at 128 px the trunk is about 80% of a forward pass.
 */
export async function fineTuneOnTrunk(run: TransferRun, parts: TrunkSplit): Promise<TrainResult> {
  const { params: p, network, head, backbone, files, yIndex, split, classes, size, options } = run;
  const started = performance.now();
  const preprocess = network.getLayer("preprocess");
  const pool = network.getLayer("pool");
  const trunk = (x: tf.Tensor) => predictTensor(parts.trunk, preprocess.apply(x) as tf.Tensor);
  const pooled = pool.apply(parts.top.outputs[0]) as tfl.SymbolicTensor;
  const top = tfl.model({ inputs: parts.top.inputs, outputs: head.apply(pooled) as tfl.SymbolicTensor });
  const reading = { size, strict: options.strict, cacheDir: options.cacheDir };
  const owned: tf.Tensor[] = [];
  try {
    const fit = await trunkActivations(
      trunk,
      split.fit.map((i) => files[i]),
      reading,
    );
    owned.push(fit.plain, fit.mirrored);
    const fitRows = fit.kept.map((k) => split.fit[k]);
    const target = (rows: readonly number[]) =>
      targetTensor(
        rows.map((i) => yIndex[i]),
        classes.length,
      );
    const y = target(fitRows);
    owned.push(y);
    let validation: BatchSource | undefined;
    if (split.validation.length) {
      const val = await trunkActivations(
        trunk,
        split.validation.map((i) => files[i]),
        { ...reading, mirrored: false },
      );
      const vy = target(val.kept.map((k) => split.validation[k]));
      owned.push(val.plain, val.mirrored, vy);
      validation = tensorSource(val.plain, vy, { batchSize: 256 });
    }
    run.skip(fit.skipped);
    run.time({ name: "trunk", seconds: (performance.now() - started) / 1000 });
    const phaseStart = performance.now();
    const result = await run.loop(
      top,
      mirroredSource(fit.plain, fit.mirrored, y, { batchSize: p.batchSize, seed: p.seed + 2 }),
      validation,
      {
        epochs: p.epochsFine,
        learningRate: p.fineLearningRate,
        schedule: p.fineSchedule,
        patience: 0,
        layerGroups: discriminativeGroups(backbone, p.lrMult),
        save: run.save,
      },
      p.seed + 2,
    );
    run.time({ name: "fine-tune", seconds: (performance.now() - phaseStart) / 1000 });
    return result;
  } finally {
    tf.dispose(owned);
    releaseCalls([...parts.applied, pool, head]);
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
