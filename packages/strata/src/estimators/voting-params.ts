import { ENSEMBLE_PARAMS, type EnsembleParams } from "./ensemble-params.js";
import { choice, parseWeights } from "./param-parse.js";
import { integerIn, type ParamSchema, rule, schemaDefaults } from "./param-schema.js";

/** Hyperparameters of a VotingClassifier. */
export interface VotingClassifierParams extends EnsembleParams {
  /** "soft": the weighted mean of the members' probabilities; "hard": the weighted share of their votes. */
  readonly voting: "soft" | "hard";
  /**
   * One weight per member; null: equal weights; "learned": Caruana's greedy ensemble selection
   * on the members' out-of-fold probabilities (`folds`-fold cross-validation, grouped with groups).
   */
  readonly weights: readonly number[] | "learned" | null;
  /** Rounds of the greedy selection (AutoGluon's ensemble_size). */
  readonly selectionRounds: number;
}

/**
 * Weights as given: finite numbers >= 0, not all 0 (a negative or non-finite weight would give
 * negative or NaN "probabilities"), "learned" or null. That there is one per member is the
 * ensemble's check: it knows its members.
 */
export function validWeights(w: unknown): boolean {
  if (w === null || w === "learned") return true;
  return (
    Array.isArray(w) &&
    w.every((v) => typeof v === "number" && Number.isFinite(v) && v >= 0) &&
    w.some((v) => v > 0)
  );
}

/** The params of a VotingClassifier (their order is strata.json's). */
export const VOTING_PARAMS: ParamSchema<VotingClassifierParams> = {
  members: ENSEMBLE_PARAMS.members,
  voting: {
    default: "soft",
    doc: '"soft": the weighted mean of the members\' probabilities; "hard": the weighted share of their votes',
    check: rule('"soft" or "hard"', (v) => v === "soft" || v === "hard"),
    cli: {
      flags: "--voting <how>",
      parse: choice("--voting", ["soft", "hard"]),
      help: "soft: average the members' probabilities; hard: count their top classes",
    },
  },
  weights: {
    default: null,
    doc: 'one weight per member; null: equal; "learned": greedy ensemble selection on out-of-fold probabilities',
    check: rule('finite numbers >= 0, not all 0 (one per member), "learned" or null', validWeights),
    cli: {
      flags: "--weights <list|learned>",
      parse: parseWeights,
      show: (v) => (v === null ? "equal" : String(v)),
      help: "one weight per member (e.g. 2,1,1), or learned: greedy ensemble selection on out-of-fold probabilities",
    },
  },
  selectionRounds: {
    default: 25,
    doc: "rounds of the greedy selection (AutoGluon's ensemble_size)",
    check: integerIn({ min: 1 }),
  },
  folds: ENSEMBLE_PARAMS.folds,
  seed: ENSEMBLE_PARAMS.seed,
};

/** The defaults of every VotingClassifier param. */
export const VOTING_DEFAULTS: VotingClassifierParams = schemaDefaults(VOTING_PARAMS);
