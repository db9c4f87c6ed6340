import type { AugmentConfig } from "../images/augment.js";
import type { FreezeSpec } from "../models/transfer/freeze.js";
import type { LrSchedule } from "../train/schedule.js";
import { integerListOrNone, parseFreeze, showListOrNone } from "./image-param-parse.js";
import {
  AUGMENT_FLAG,
  augmentation,
  BATCH_SIZE_FLAG,
  imageSize,
  positiveIntegers,
  SIZE_FLAG,
} from "./image-params.js";
import {
  aboveZero,
  type NetworkParams,
  networkParamSpecs,
  positiveInteger,
  schedule,
} from "./network-params.js";
import { integer, positive } from "./param-parse.js";
import {
  boolean,
  either,
  integerIn,
  none,
  type ParamFlag,
  type ParamSchema,
  rule,
  text,
} from "./param-schema.js";

/** Hyperparameters of a TransferClassifier; every one has a default. */
export interface TransferClassifierParams extends NetworkParams {
  /** A zoo name (`strata zoo` lists them), a model path, or an https:// URL. */
  readonly backbone: string;
  /** The layer whose output is the feature; null: the zoo entry's cut (the layer before its classifier). */
  readonly cutAt: string | null;
  /** [height, width] images are resized to; null: chosen from the images (see chooseInputSize). */
  readonly size: readonly [number, number] | null;
  /** What stays frozen while the head trains: "all" (the whole backbone), the first N layers, or up to a layer. */
  readonly freeze: FreezeSpec;
  /** Blocks (a convolution with its batch norm and activation) at the top of the backbone unfrozen for fine-tuning; 0: head only. */
  readonly fineTune: number;
  /** `epochs` trains the head; this many epochs fine-tune afterwards (when fineTune > 0). */
  readonly epochsFine: number;
  /** Adam's rate for the head's last layer while fine-tuning; the backbone's blocks get less (see lrMult). */
  readonly fineLearningRate: number;
  /** The lowest unfrozen blocks train at fineLearningRate / lrMult (fastai's discriminative rates). */
  readonly lrMult: number;
  readonly fineSchedule: LrSchedule;
  /** Hidden widths of the head ([]: pooled features → softmax). */
  readonly headHidden: readonly number[];
  readonly headDropout: number;
  /** Images (or feature rows) per gradient step. */
  readonly batchSize: number;
  /** Augmentation while the backbone trains on images (the frozen head phase trains on cached, unaugmented features). */
  readonly augment: AugmentConfig | null;
  /**
   * Fine-tune on the frozen trunk's activations, computed once per image and orientation, with
   * flips as the only augmentation (fast); false: on whole augmented images every epoch (slow).
   */
  readonly trunkCache: boolean;
}

const network = networkParamSpecs({
  epochs: 100,
  learningRate: 3e-4,
  schedule: { kind: "constant" },
  patience: 10,
  validationFraction: 0.1,
  seed: 0,
});

/** The params of transfer learning (their order is strata.json's). */
export const TRANSFER_PARAMS: ParamSchema<TransferClassifierParams> = {
  backbone: {
    default: "darknet-tiny",
    doc: "the pretrained network: a zoo name (strata zoo lists them), a model path or an https:// URL",
    check: rule("a zoo name or a model path", (v) => typeof v === "string" && v !== ""),
    cli: {
      flags: "--backbone <name|path>",
      help: "pretrained model to start from: a zoo name (strata zoo lists them), a model path or an https:// URL",
    },
  },
  cutAt: {
    default: null,
    doc: "the backbone layer whose output is the feature; null: the zoo entry's cut, before its classifier",
    check: either(none, text),
    cli: {
      flags: "--cut-at <layer>",
      show: (v) => (v === null ? "the zoo entry's, before its classifier" : String(v)),
      help: "the backbone layer whose output is the feature",
    },
  },
  size: {
    default: null,
    doc: "[height, width] images are resized to; null: about 4x the images' side, at most the backbone's",
    check: rule("null or [height, width], each an integer >= 16", (v) => v === null || imageSize(16).test(v)),
    cli: SIZE_FLAG,
  },
  freeze: {
    default: "all",
    doc: 'what stays frozen while the head trains: "all", the first N backbone layers, or up to a layer',
    check: either(text, integerIn({ min: 0 })),
    cli: {
      flags: "--freeze <all|N|layer>",
      parse: parseFreeze,
      help: "what stays frozen while the head trains: all, the first N backbone layers, or up to a layer",
    },
  },
  fineTune: {
    default: 5,
    doc: "blocks at the top of the backbone unfrozen for fine-tuning after the head; 0: head only",
    check: integerIn({ min: 0 }),
    cli: {
      flags: "--fine-tune <k>",
      parse: integer(0),
      help: "then unfreeze the backbone's top k blocks and fine-tune them (0: head only)",
    },
  },
  // --epochs, and --epochs-head (the same param, named for this kind's phases).
  epochs: {
    ...network.epochs,
    doc: "most epochs of the head on the frozen backbone; early stopping may end sooner",
    cli: {
      ...(network.epochs.cli as ParamFlag),
      spellings: [
        {
          flags: "--epochs-head <n>",
          help: "epochs of the head on the frozen backbone (the same as --epochs)",
        },
      ],
    },
  },
  epochsFine: {
    default: 6,
    doc: "epochs of fine-tuning after the head (when fineTune > 0)",
    check: integerIn({ min: 0 }),
    cli: { flags: "--epochs-fine <n>", parse: integer(0), help: "epochs of fine-tuning after the head" },
  },
  learningRate: { ...network.learningRate, doc: "Adam's learning rate for the head on the frozen backbone" },
  fineLearningRate: {
    default: 3e-4,
    doc: "Adam's rate for the head while fine-tuning; the backbone's blocks get less (see lrMult)",
    check: aboveZero,
    cli: {
      flags: "--fine-lr <rate>",
      parse: positive,
      help: "learning rate of the head while fine-tuning (the backbone's blocks get 1/10 to 1/3 of it)",
    },
  },
  lrMult: {
    default: 10,
    doc: "the lowest unfrozen blocks fine-tune at fineLearningRate / lrMult (fastai's discriminative rates)",
    check: rule(">= 1", (v) => typeof v === "number" && v >= 1),
  },
  schedule: { ...network.schedule, doc: "how the head's learning rate changes over its epochs" },
  fineSchedule: {
    default: { kind: "cosine" },
    doc: "how the learning rate changes over fine-tuning",
    check: schedule,
  },
  patience: network.patience,
  validationFraction: network.validationFraction,
  batchSize: {
    default: 32,
    doc: "images (or feature rows) per gradient step",
    check: positiveInteger,
    cli: BATCH_SIZE_FLAG,
  },
  headHidden: {
    default: [],
    doc: "widths of the head's hidden ReLU layers; []: pooled features straight to the output",
    check: positiveIntegers,
    cli: {
      flags: "--head-hidden <sizes>",
      parse: integerListOrNone,
      show: showListOrNone,
      help: "hidden ReLU layers of the head, e.g. 256 (none: pooled features straight to the output)",
    },
  },
  headDropout: {
    default: 0.1,
    doc: "dropout before the head's output layer",
    check: rule("in [0, 1)", (v) => typeof v === "number" && v >= 0 && v < 1),
  },
  augment: {
    default: { flip: true, cropPadding: 4 },
    doc: "augmentation while the backbone trains on images (the head's cached features are not augmented); null: none",
    check: augmentation,
    cli: AUGMENT_FLAG,
  },
  trunkCache: {
    default: true,
    doc: "fine-tune on the frozen trunk's cached activations with flips only (fast); false: on whole augmented images",
    check: boolean,
  },
  seed: {
    ...network.seed,
    doc: "seeds the validation split, the head's initialisation, shuffling, augmentation and dropout",
  },
};
