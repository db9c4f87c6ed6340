import type { LrSchedule } from "../train/schedule.js";
import type { LearningRate } from "./learning-rate.js";
import { parseSchedule, showSchedule } from "./param-parse.js";
import { integerIn, type ParamCheck, type ParamSchema, rule } from "./param-schema.js";
import { EPOCHS_FLAG, LEARNING_RATE_FLAG, PATIENCE_FLAG, VALIDATION_FRACTION_FLAG } from "./shared-flags.js";

/*
 * The hyperparameters every network classifier has (the training loop's), declared once: each
 * network kind's schema takes these specs with its own defaults. The checks keep the words of
 * the former messages ("epochs must be a positive integer, got 0"); the flags and their help are
 * the command line's, shared by every kind that has the param.
 */

/** Hyperparameters every network classifier has. */
export interface NetworkParams {
  /** Most epochs; early stopping may end sooner. */
  readonly epochs: number;
  /** Adam's (base) learning rate, or "auto": picked by a learning-rate sweep on the training rows first. */
  readonly learningRate: LearningRate;
  readonly schedule: LrSchedule;
  /** Epochs without a better validation loss before stopping; 0 trains all epochs. */
  readonly patience: number;
  /** Share of the training rows (or groups) held out for early stopping; 0: none. */
  readonly validationFraction: number;
  readonly seed: number;
}

/** A whole number >= 1. */
export const positiveInteger: ParamCheck = rule(
  "a positive integer",
  (v) => Number.isInteger(v) && (v as number) > 0,
);

/** A number above 0 (a learning rate). */
export const aboveZero: ParamCheck = rule("> 0", (v) => typeof v === "number" && v > 0);

/** A share: from 0 up to, not including, `max` (a validation split, a dropout rate). */
export function share(max: number): ParamCheck {
  return rule(`in [0, ${max})`, (v) => typeof v === "number" && v >= 0 && v < max);
}

/** A network's learning rate: above 0, or "auto" (a sweep picks it; see estimators/learning-rate.ts). */
export const rateOrAuto: ParamCheck = rule('> 0 or "auto"', (v) => v === "auto" || aboveZero.test(v));

/** "balanced" or "none". */
export const classWeights: ParamCheck = rule('"balanced" or "none"', (v) => v === "balanced" || v === "none");

const SCHEDULES = ["constant", "cosine", "step", "onecycle"];

/** A learning-rate schedule (train/schedule.ts): one of its kinds, with the numbers a step schedule needs. */
export const schedule: ParamCheck = rule(
  'a learning-rate schedule: { kind: "constant" }, { kind: "cosine", warmupEpochs?, minFactor? }, { kind: "step", every, factor } or { kind: "onecycle" }',
  (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
    const s = v as Record<string, unknown>;
    if (!SCHEDULES.includes(s.kind as string)) return false;
    return s.kind !== "step" || (typeof s.every === "number" && s.every > 0 && typeof s.factor === "number");
  },
);

/** The network params' specs over a kind's own defaults (the validation share below `maxValidation`). */
export function networkParamSpecs(defaults: NetworkParams, maxValidation = 0.5): ParamSchema<NetworkParams> {
  return {
    epochs: {
      default: defaults.epochs,
      doc: "most epochs; early stopping may end sooner",
      check: positiveInteger,
      cli: EPOCHS_FLAG,
    },
    learningRate: {
      default: defaults.learningRate,
      doc: 'Adam\'s (base) learning rate; "auto": picked by a learning-rate sweep on the training rows first',
      check: rateOrAuto,
      cli: LEARNING_RATE_FLAG,
    },
    schedule: {
      default: defaults.schedule,
      doc: "how the learning rate changes over the fit",
      check: schedule,
      cli: {
        flags: "--schedule <kind>",
        parse: parseSchedule,
        show: showSchedule,
        help: "learning-rate schedule: constant, cosine, step or onecycle",
      },
    },
    patience: {
      default: defaults.patience,
      doc: "epochs without a better validation loss before stopping; 0 trains all epochs",
      check: integerIn({ min: 0 }),
      cli: PATIENCE_FLAG,
    },
    validationFraction: {
      default: defaults.validationFraction,
      doc: "share of the training rows (or groups) held out for early stopping; 0: none",
      check: share(maxValidation),
      cli: VALIDATION_FRACTION_FLAG,
    },
    seed: {
      default: defaults.seed,
      doc: "seeds the validation split, initialisation, shuffling and dropout",
      check: integerIn(),
    },
  };
}
