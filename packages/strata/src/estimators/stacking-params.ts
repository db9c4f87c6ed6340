import { ENSEMBLE_PARAMS, type EnsembleParams, estimatorSpec } from "./ensemble-params.js";
import type { EstimatorSpec } from "./estimator.js";
import { choice } from "./param-parse.js";
import { boolean, type ParamSchema, schemaDefaults } from "./param-schema.js";

/** Hyperparameters of a StackingClassifier. */
export interface StackingClassifierParams extends EnsembleParams {
  /** The model that learns from the members' out-of-fold probabilities: any table estimator. */
  readonly meta: EstimatorSpec;
  /** Give the meta-model the original columns too, beside the members' probabilities (table members only). */
  readonly passthrough: boolean;
}

/** The meta-models a stack can take by name (`--meta`): logistic regression, or a small dense net. */
export const META_MODELS: Readonly<Record<string, EstimatorSpec>> = {
  logistic: { kind: "logistic", params: {} },
  dense: { kind: "dense", params: { hiddenUnits: [32], dropout: 0.1 } },
};

const metaNames = Object.keys(META_MODELS);

/** The name --meta gives a meta-model's spec (its kind when it is none of them). */
function metaName(spec: EstimatorSpec): string {
  const json = JSON.stringify(spec);
  return metaNames.find((name) => JSON.stringify(META_MODELS[name]) === json) ?? spec.kind;
}

/** The params of a StackingClassifier (their order is strata.json's). */
export const STACKING_PARAMS: ParamSchema<StackingClassifierParams> = {
  members: ENSEMBLE_PARAMS.members,
  meta: {
    default: META_MODELS.logistic,
    doc: "the model that learns from the members' out-of-fold probabilities: any table model",
    check: estimatorSpec,
    cli: {
      flags: "--meta <model>",
      parse: (text) => META_MODELS[choice("--meta", metaNames)(text)],
      show: (v) => metaName(v as EstimatorSpec),
      help: `the meta-model that learns from the members' out-of-fold probabilities: ${metaNames.join(" or ")}`,
    },
  },
  passthrough: {
    default: false,
    doc: "give the meta-model the original columns too, beside the members' probabilities (table members only)",
    check: boolean,
    // Table data only: image members have no columns to pass (the stack refuses it for them).
    cli: {
      flags: "--passthrough",
      help: "give the meta-model the original columns beside the members' probabilities",
      data: ["table"],
    },
  },
  folds: ENSEMBLE_PARAMS.folds,
  seed: ENSEMBLE_PARAMS.seed,
};

/** The defaults of every StackingClassifier param. */
export const STACKING_DEFAULTS: StackingClassifierParams = schemaDefaults(STACKING_PARAMS);
