import { choice, InvalidValueError, integer, validationShare } from "./param-parse.js";
import type { ParamFlag } from "./param-schema.js";

/*
 * Flags that several kinds' params share: the CLI makes one option of a flag, so every kind that
 * has it must spell it alike (test/cli-options.test.ts checks). Declared once here.
 */

/** A network's epochs, XGBoost's boosting rounds. */
export const EPOCHS_FLAG: ParamFlag = {
  flags: "--epochs <n>",
  parse: integer(1),
  help: "most epochs (early stopping may end sooner); for xgboost, most boosting rounds",
};

/** A network's Adam learning rate (or "auto": a sweep picks it), XGBoost's eta. */
export const LEARNING_RATE_FLAG: ParamFlag = {
  flags: "--lr <rate>",
  parse: (text) => {
    if (text.trim() === "auto") return "auto";
    const n = Number(text);
    if (!(Number.isFinite(n) && n > 0))
      throw new InvalidValueError(`expected a number > 0 or "auto", got "${text}"`);
    return n;
  },
  help: 'Adam learning rate; "auto" for networks: picked by a learning-rate sweep (see strata lr-find)',
};

/** Early stopping's patience: epochs, or XGBoost's rounds. */
export const PATIENCE_FLAG: ParamFlag = {
  flags: "--patience <n>",
  parse: integer(0),
  help: "early-stopping patience in epochs (xgboost: rounds), 0 to disable",
};

export const VALIDATION_FRACTION_FLAG: ParamFlag = {
  flags: "--validation-fraction <f>",
  parse: validationShare,
  help: "share of training rows (or groups) held out for early stopping, 0 for none",
};

export const CLASS_WEIGHT_FLAG: ParamFlag = {
  flags: "--class-weight <how>",
  parse: choice("--class-weight", ["balanced", "none"]),
  help: "weigh classes in the loss: balanced or none",
};
