import { homedir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { extractFeatures, type FeatureOptions } from "../models/transfer/features.js";
import { standardizeHead } from "../models/transfer/network.js";
import { computeOnRanks } from "../parallel/distributed-rows.js";
import type { TrainResult } from "../train/loop.js";
import { tensorSource } from "../train/sources.js";
import { configRate } from "./learning-rate.js";
import type { TransferRun } from "./transfer-run.js";

/**
 * The head phase on a wholly frozen backbone: the backbone's pooled features for every training
 * and validation image, computed once (and cached on disk, keyed by image content), then the
 * head alone trained on them (fastai's frozen epochs, without running the backbone each time).
 * `features` maps images to the pooled features; `key` names the backbone in the cache;
 * `compute`, when given, computes the uncached ones instead (from the trunk's activations).
 */
export async function trainHeadOnFeatures(
  run: TransferRun,
  features: tfl.LayersModel,
  key: string,
  compute?: FeatureOptions["compute"],
): Promise<TrainResult> {
  const { params: p, head, files, target, split, size, options } = run;
  const started = performance.now();
  const rows = [...split.fit, ...split.validation];
  // In a data-parallel fit each rank extracts its share of the images and gets the others'.
  const extracted = await computeOnRanks(
    rows.length,
    features.outputs[0].shape[1] ?? 0,
    (mine) =>
      extractFeatures(
        features,
        mine.map((j) => files[rows[j]]),
        {
          size,
          key: `${key}|${size.join("x")}`,
          cacheDir: options.cacheDir ?? defaultFeatureCache(),
          strict: options.strict,
          compute: compute && ((todo) => compute(todo.map((i) => mine[i]))),
        },
      ),
    (j) => files[rows[j]],
    compute !== undefined, // the trunk's reading has reported every unreadable image
  );
  run.skip(extracted.skipped);
  run.time({ name: "features", seconds: (performance.now() - started) / 1000, cached: extracted.cached });
  const part = (from: number, to: number) => {
    const keep = extracted.kept.flatMap((k, r) => (k >= from && k < to ? [r] : []));
    const x = tf.tensor2d(
      Float32Array.from(
        keep.flatMap((r) =>
          Array.from(extracted.values.subarray(r * extracted.channels, (r + 1) * extracted.channels)),
        ),
      ),
      [keep.length, extracted.channels],
    );
    const y = target.tensor(keep.map((r) => rows[extracted.kept[r]]));
    return { x, y };
  };
  const train = part(0, split.fit.length);
  const validation = split.validation.length ? part(split.fit.length, rows.length) : undefined;
  standardizeHead(head, train.x);
  const phaseStart = performance.now();
  try {
    const result = await run.loop(
      head,
      tensorSource(train.x, train.y, { batchSize: p.batchSize, seed: p.seed }),
      validation ? tensorSource(validation.x, validation.y, { batchSize: 256 }) : undefined,
      {
        epochs: p.epochs,
        learningRate: configRate(p.learningRate),
        schedule: p.schedule,
        patience: p.patience,
        ...target.loss,
        save: run.save,
      },
    );
    run.time({ name: "head", seconds: (performance.now() - phaseStart) / 1000 });
    return result;
  } finally {
    tf.dispose([train.x, train.y, validation?.x, validation?.y].filter((t) => t !== undefined));
  }
}

/** ~/.strata/cache/features, or under STRATA_HOME. */
function defaultFeatureCache(): string {
  return join(process.env.STRATA_HOME ?? join(homedir(), ".strata"), "cache", "features");
}
