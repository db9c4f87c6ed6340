import type { TrainResult } from "../train/loop.js";
import { configRate } from "./learning-rate.js";
import { RAW } from "./transfer-info.js";
import { discriminativeGroups } from "./transfer-rates.js";
import type { TransferRun } from "./transfer-run.js";

/**
 * The whole network on augmented images, every epoch: the head phase when part of the backbone
 * trains with it ("layers"), or fine-tuning when the trunk's activations are not cached
 * ("fine": the unfrozen backbone blocks at discriminative rates).
 */
export async function trainOnImages(
  run: TransferRun,
  phase: "layers" | "fine",
  epochs: number,
): Promise<TrainResult> {
  const { params: p, network, backbone, target, split, size, options } = run;
  const started = performance.now();
  const input = { size, channels: 3 as const, scaling: RAW };
  const reading = { batchSize: p.batchSize, cacheDir: options.cacheDir, strict: options.strict };
  const train = target.images(split.fit, input, { ...reading, seed: p.seed + 1, augment: p.augment });
  const validation = split.validation.length ? target.images(split.validation, input, reading) : undefined;
  const fine = phase === "fine";
  const result = await run.loop(
    network,
    train,
    validation,
    {
      epochs,
      learningRate: fine ? p.fineLearningRate : configRate(p.learningRate),
      schedule: fine ? p.fineSchedule : p.schedule,
      patience: fine ? 0 : p.patience,
      ...target.loss,
      layerGroups: fine ? discriminativeGroups(backbone, p.lrMult) : undefined,
      save: run.save,
    },
    p.seed + (fine ? 2 : 1),
  );
  run.skip([...train.skipped, ...(validation?.skipped ?? [])]);
  run.time({ name: fine ? "fine-tune" : "train", seconds: (performance.now() - started) / 1000 });
  return result;
}
