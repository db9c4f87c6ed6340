import type { EstimatorSpec } from "./estimator.js";
import { integer } from "./param-parse.js";
import { integerIn, type ParamCheck, type ParamSchema, rule } from "./param-schema.js";

/*
 * The params every ensemble has (vote, stack): its members as {kind, params}, and the folds and
 * seed of the cross-validation that gives the members' out-of-fold probabilities. What each
 * member is (its kind, its own params, one input kind for all) is checked when the ensemble makes
 * its members, by the members' own schemas.
 */

/** Params every ensemble has. */
export interface EnsembleParams {
  /** The members, as {kind, params}: all of one input kind. */
  readonly members: readonly EstimatorSpec[];
  /** Folds of the cross-validation that gives the out-of-fold probabilities (when the ensemble needs them). */
  readonly folds: number;
  /** Seed of the folds. */
  readonly seed: number;
}

/** {kind, params} with an optional non-blank name, as a member or a meta-model is given. */
export function isEstimatorSpec(value: unknown): value is EstimatorSpec {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const spec = value as Partial<Record<keyof EstimatorSpec, unknown>>;
  return (
    typeof spec.kind === "string" &&
    (spec.params === undefined || (typeof spec.params === "object" && spec.params !== null)) &&
    (spec.name === undefined || (typeof spec.name === "string" && spec.name.trim() !== ""))
  );
}

/** One model given as {kind, params} (a stack's meta-model). */
export const estimatorSpec: ParamCheck = rule("{kind, params} (and optionally a name)", isEstimatorSpec);

/** The members: at least one {kind, params}. */
export const memberList: ParamCheck = rule(
  "a non-empty list of {kind, params} (each optionally with a name)",
  (v) => Array.isArray(v) && v.length > 0 && v.every(isEstimatorSpec),
);

/** The specs of the params every ensemble has, in strata.json's order: members first, folds and seed last. */
export const ENSEMBLE_PARAMS: ParamSchema<EnsembleParams> = {
  members: {
    default: [],
    doc: "the members, as {kind, params}: all of one input kind",
    check: memberList,
    // The CLI turns the names into specs (parseMembers: presets, repeats seeded apart from --seed)
    // and lists the member names after this help.
    cli: {
      flags: "--members <list>",
      help: "the ensemble's members, comma-separated; a name given again is the same model with the next seed",
    },
  },
  folds: {
    default: 5,
    doc: "folds of the cross-validation that gives the members' out-of-fold probabilities",
    check: integerIn({ min: 2 }),
    cli: {
      flags: "--stack-folds <k>",
      parse: integer(2),
      help: "folds of the cross-validation that gives each member's out-of-fold probabilities (stack, vote --weights learned)",
    },
  },
  seed: { default: 0, doc: "seed of the folds", check: integerIn() },
};
