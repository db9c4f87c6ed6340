import { StrataError } from "../errors.js";
import type { Params } from "../util/params.js";
import { isEstimatorSpec } from "./ensemble-params.js";
import type { EstimatorSpec } from "./estimator.js";
import { integerIn, type ParamSchema, rule, schemaDefaults } from "./param-schema.js";

/** A candidate as given: a kind's name ("xgboost"), or {kind, params} (and optionally a name). */
export type Candidate = string | EstimatorSpec;

/** Hyperparameters of a model chosen by cross-validation: an AutoClassifier's, and an AutoRegressor's. */
export interface AutoSearchParams {
  /**
   * The models cross-validated, simplest first: of those whose CV score is within one std of
   * the best, the first is chosen. The stack ("stack"; "stack-regressor" for a regressor) stacks
   * the other candidates (its params may set its meta-model's; its members, folds and seed are
   * the auto model's).
   */
  readonly candidates: readonly Candidate[];
  /** Folds of the cross-validation on the training rows (stratified; grouped by fit's groups). */
  readonly folds: number;
  /** Seed of the folds, and of every candidate with a seed param that sets none. */
  readonly seed: number;
}

/** Hyperparameters of an AutoClassifier (CV accuracy; its stack's params may set `meta` and `passthrough`). */
export type AutoClassifierParams = AutoSearchParams;

/** The kind that stacks the other candidates. */
export const STACK_CANDIDATE = "stack";

/** The default candidates, simplest first (the order ties are broken in). */
export const DEFAULT_CANDIDATES: readonly Candidate[] = ["logistic", "xgboost", "dense", STACK_CANDIDATE];

/** The params of an auto model whose candidates default to `defaults` (their order is strata.json's). */
export function autoParams(defaults: readonly Candidate[]): ParamSchema<AutoSearchParams> {
  return {
    candidates: {
      default: defaults as Candidate[],
      doc: "the models cross-validated, simplest first; the first within one std of the best is chosen",
      check: rule(
        "a non-empty list of model names or {kind, params}",
        (v) =>
          Array.isArray(v) &&
          v.length > 0 &&
          v.every((c) => (typeof c === "string" && c.trim() !== "") || isEstimatorSpec(c)),
      ),
    },
    folds: {
      default: 5,
      doc: "folds of the cross-validation on the training rows",
      check: integerIn({ min: 2 }),
    },
    seed: {
      default: 0,
      doc: "seed of the folds, and of every candidate with a seed param that sets none",
      check: integerIn(),
    },
  };
}

/** The params of an AutoClassifier (their order is strata.json's). API only: no CLI flags. */
export const AUTO_PARAMS: ParamSchema<AutoClassifierParams> = autoParams(DEFAULT_CANDIDATES);

/** The defaults of every AutoClassifier param. */
export const AUTO_DEFAULTS: AutoClassifierParams = schemaDefaults(AUTO_PARAMS);

/** The candidates as specs: the single models, and the stack's params when "stack" is one. */
export interface CandidateSpecs {
  /** The candidates other than the stack, in the given order. */
  readonly singles: readonly EstimatorSpec[];
  /** The stack's own params (meta, passthrough), when it is a candidate. */
  readonly stack?: Params;
  /** Each candidate's leaderboard name, in the given order (the spec's name, else its kind). */
  readonly names: readonly string[];
  /** Where the stack is in the given order (-1: not a candidate). */
  readonly stackAt: number;
}

/** Which candidate is the stack, and the params its spec may set (for messages). */
export interface StackCandidate {
  readonly isStack: (kind: string) => boolean;
  /** E.g. "meta or passthrough". */
  readonly own: string;
}

/** The AutoClassifier's stack: kind "stack", its meta-model and passthrough. */
const CLASSIFIER_STACK: StackCandidate = {
  isStack: (kind) => kind === STACK_CANDIDATE,
  own: "meta or passthrough",
};

/**
 * Reads the candidates param: names become {kind, params: {}}; one stack at most, and not alone.
 * `owner` (the class name) starts every message.
 */
export function candidateSpecs(
  owner: string,
  candidates: readonly Candidate[],
  { isStack, own }: StackCandidate = CLASSIFIER_STACK,
): CandidateSpecs {
  const specs = candidates.map((c) => (typeof c === "string" ? { kind: c, params: {} } : c));
  const names = specs.map((s) => s.name ?? s.kind);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined)
    throw new StrataError(
      `${owner}: candidates must have distinct names; "${repeated}" is given twice (name one with {kind, params, name})`,
    );
  const stackAt = specs.findIndex((s) => isStack(s.kind));
  if (specs.filter((s) => isStack(s.kind)).length > 1)
    throw new StrataError(`${owner}: candidates may hold one stack (it stacks the others), got several`);
  const singles = specs.filter((s) => !isStack(s.kind));
  if (stackAt >= 0 && singles.length === 0)
    throw new StrataError(`${owner}: a stack candidate stacks the other candidates; give at least one`);
  const stackParams = stackAt >= 0 ? { ...(specs[stackAt].params ?? {}) } : undefined;
  for (const owned of ["members", "folds", "seed"])
    if (stackParams && Object.hasOwn(stackParams, owned))
      throw new StrataError(
        `${owner}: the stack candidate's ${owned} are the ${owner}'s (its members are the other candidates); give only ${own}`,
      );
  return {
    singles: singles.map((s) =>
      s.name === undefined
        ? { kind: s.kind, params: s.params ?? {} }
        : { kind: s.kind, params: s.params ?? {}, name: s.name },
    ),
    stack: stackParams,
    names,
    stackAt,
  };
}

/**
 * The spec with `seed` when its kind has a seed param (`hasSeed`) and the spec sets none (as
 * --seed seeds the model it fits), so that one seed makes the whole search repeatable.
 */
export function seededSpec(spec: EstimatorSpec, seed: number, hasSeed: boolean): EstimatorSpec {
  if (!hasSeed || spec.params.seed !== undefined) return spec;
  return { ...spec, params: { ...spec.params, seed } };
}
