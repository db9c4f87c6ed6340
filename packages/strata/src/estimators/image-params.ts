import type { AugmentConfig } from "../images/augment.js";
import { DEFAULT_SCALING, type PixelScaling } from "../images/pixels.js";
import { parseAugment, parseChannels, parseSize, showAugment, showSize } from "./image-param-parse.js";
import { type NetworkParams, networkParamSpecs, positiveInteger } from "./network-params.js";
import { integer } from "./param-parse.js";
import { type ParamCheck, type ParamSchema, rule } from "./param-schema.js";

/*
 * What the image models trained from scratch (cnn, image-dense) share: the network params, the
 * images' size, channels and scaling, batches and augmentation, with one default for both. The
 * checks keep the words of the classes' former messages, so a bad param reads as before.
 */

/** Hyperparameters every image network trained from scratch has; every one has a default. */
export interface ImageParams extends NetworkParams {
  /** [height, width] every image is resized to. */
  readonly size: readonly [number, number];
  readonly channels: 1 | 3;
  readonly batchSize: number;
  /** Training-time augmentation (never applied when evaluating or predicting). */
  readonly augment: AugmentConfig | null;
  readonly scaling: PixelScaling;
}

/** Hidden widths: whole numbers >= 1 ([] allowed). */
export const positiveIntegers: ParamCheck = rule(
  "positive integers",
  (v) => Array.isArray(v) && v.every((u) => Number.isInteger(u) && u > 0),
);

/** An AugmentConfig, or null for none (its settings are checked when the augmenter is made). */
export const augmentation: ParamCheck = rule(
  "an augmentation such as { flip: true, cropPadding: 2 }, or null",
  (v) => v === null || isObject(v),
);

/** [height, width], each an integer >= `min`. */
export function imageSize(min: number): ParamCheck {
  return rule(
    `[height, width], each an integer >= ${min}`,
    (v) => Array.isArray(v) && v.length === 2 && v.every((s) => Number.isInteger(s) && s >= min),
  );
}

/** A plain object (not null, not a list). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** --batch-size, as every kind spells it. */
export const BATCH_SIZE_FLAG = {
  flags: "--batch-size <n>",
  parse: integer(1),
  help: "rows per step (auto: about 64 steps per epoch)",
} as const;

/** --augment, as every image kind spells it. */
export const AUGMENT_FLAG = {
  flags: "--augment <spec>",
  parse: parseAugment,
  show: showAugment,
  help: 'training augmentation, e.g. "flip,crop=4,rotate=10,zoom=0.1,translate=0.1,brightness=0.2,contrast=0.2"',
  spellings: [{ flags: "--no-augment", help: "no training augmentation" }],
} as const;

/** --size, as every image kind spells it. */
export const SIZE_FLAG = {
  flags: "--size <n|HxW>",
  parse: parseSize,
  show: showSize,
  help: "resize images to this size",
} as const;

const network = networkParamSpecs({
  epochs: 15,
  learningRate: 1e-3,
  schedule: { kind: "cosine", warmupEpochs: 1 },
  patience: 0,
  validationFraction: 0.1,
  seed: 0,
});

/** The params of cnn and image-dense alike (their order is strata.json's). */
export const IMAGE_PARAMS: ParamSchema<ImageParams> = {
  size: {
    default: [32, 32],
    doc: "[height, width] every image is resized to",
    check: imageSize(8),
    cli: SIZE_FLAG,
  },
  channels: {
    default: 3,
    doc: "colour channels the network takes: 3 (RGB) or 1 (grayscale)",
    check: rule("1 or 3", (v) => v === 1 || v === 3),
    cli: { flags: "--channels <n>", parse: parseChannels, help: "3 (RGB) or 1 (grayscale)" },
  },
  epochs: network.epochs,
  batchSize: {
    default: 64,
    doc: "images per gradient step",
    check: positiveInteger,
    cli: BATCH_SIZE_FLAG,
  },
  learningRate: network.learningRate,
  schedule: network.schedule,
  patience: network.patience,
  validationFraction: network.validationFraction,
  augment: {
    default: { flip: true, cropPadding: 2 },
    doc: "training-time augmentation (never when evaluating or predicting); null: none",
    check: augmentation,
    cli: AUGMENT_FLAG,
  },
  scaling: {
    default: DEFAULT_SCALING,
    doc: "how raw pixel values (0..255) become the network's inputs",
    check: rule(
      'a pixel scaling such as { kind: "divide", by: 255 }',
      (v) => isObject(v) && typeof v.kind === "string",
    ),
  },
  seed: network.seed,
};
