import { join } from "node:path";
import { StrataError } from "../errors.js";
import { argmaxRows, type Matrix, matrix } from "../util/matrix.js";
import type { Params } from "../util/params.js";
import type { KindResolver } from "./descriptor.js";
import { type CombinerData, EnsembleClassifier, type MemberInput } from "./ensemble.js";
import { ENSEMBLE_JSON } from "./ensemble-dir.js";
import { greedyEnsembleSelection } from "./ensemble-selection.js";
import type { Manifest } from "./estimator.js";
import type { Label } from "./label-values.js";
import { paramError } from "./param-schema.js";
import { VOTING_PARAMS, type VotingClassifierParams } from "./voting-params.js";

export { VOTING_DEFAULTS, type VotingClassifierParams } from "./voting-params.js";

/** The fitted combiner: one weight per member, summing to 1. */
interface Weights {
  readonly weights: readonly number[];
}

/**
 * Voting over any strata estimators of one input kind (scikit-learn's VotingClassifier): soft
 * (weighted mean of probabilities) or hard (weighted share of votes, its predictProba rows the
 * vote shares); weights given, equal, or learned from out-of-fold probabilities by greedy
 * ensemble selection with replacement on log loss (as AutoGluon weighs its ensembles).
 *
 * The members are made through the kinds it is given: the list of kinds (estimators/kinds.ts)
 * makes it with its own resolver. `VotingClassifier` (voting.ts) is this bound to strata's kinds.
 */
export class VotingEnsemble<L extends Label = Label> extends EnsembleClassifier<
  VotingClassifierParams,
  Weights,
  L
> {
  readonly kind = "vote";

  constructor(params: Partial<VotingClassifierParams>, kinds: KindResolver) {
    super("VotingClassifier", VOTING_PARAMS, params, kinds, checkWeights);
  }

  /** Reads a directory written by writeFiles (its manifest checked), the members through `kinds`. */
  static async read(dir: string, manifest: Manifest, kinds: KindResolver): Promise<VotingEnsemble> {
    return new VotingEnsemble(manifest.params as Partial<VotingClassifierParams>, kinds).readState(
      dir,
      manifest,
    );
  }

  /** The fitted weights, one per member, summing to 1. */
  get weights(): readonly number[] {
    return this.fitted().combiner.weights;
  }

  protected needsOutOfFold(): boolean {
    return this.params.weights === "learned";
  }

  protected async learnCombiner(data: CombinerData): Promise<Weights> {
    const p = this.params;
    const m = p.members.length;
    if (data.outOfFold)
      return { weights: greedyEnsembleSelection(data.outOfFold, data.yIndex, p.selectionRounds).weights };
    const raw = Array.isArray(p.weights) ? p.weights : new Array<number>(m).fill(1);
    const total = raw.reduce((a, b) => a + b, 0);
    return { weights: raw.map((w) => w / total) };
  }

  protected async combine(proba: readonly Matrix[], _x: MemberInput, combiner: Weights): Promise<Matrix> {
    const { rows, cols } = proba[0];
    const out = matrix(rows, cols);
    proba.forEach((p, i) => {
      const w = combiner.weights[i];
      if (w === 0) return;
      if (this.params.voting === "soft") {
        for (let j = 0; j < out.data.length; j++) out.data[j] += w * p.data[j];
      } else {
        argmaxRows(p).forEach((c, r) => {
          out.data[r * cols + c] += w;
        });
      }
    });
    return out;
  }

  protected async writeCombiner(_dir: string, combiner: Weights): Promise<Params> {
    return { weights: [...combiner.weights] };
  }

  protected async readCombiner(dir: string, saved: Params): Promise<Weights> {
    const w: unknown = saved.weights;
    const m = this.params.members.length;
    // What fit saved sums to 1; anything else (a hand edit) would combine into wrong probabilities.
    if (!Array.isArray(w) || w.length !== m || !validWeights(w) || Math.abs(sum(w) - 1) > 1e-6)
      throw new StrataError(
        `${join(dir, ENSEMBLE_JSON)}: damaged: the combiner's weights must be one finite number >= 0 per member (${m}), summing to 1; got ${describeWeights(w)}`,
      );
    return { weights: w };
  }

  protected disposeCombiner(): void {}
}

/**
 * The weights param, before the schema's checks (which cannot count the members, nor show NaN as
 * NaN): null, "learned", or one finite number >= 0 per member, not all 0 (a negative or
 * non-finite weight would give negative or NaN "probabilities").
 */
function checkWeights(params: Partial<VotingClassifierParams>, members: number): void {
  const w: unknown = params.weights;
  if (w === undefined || w === null || w === "learned") return;
  if (!Array.isArray(w) || w.length !== members)
    throw paramError(
      "VotingClassifier",
      "weights",
      `one number per member (${members}), "learned" or null`,
      w,
    );
  if (!validWeights(w))
    throw new StrataError(
      `VotingClassifier: weights must be finite numbers >= 0, not all 0, got ${describeWeights(w)}`,
    );
}

function validWeights(w: readonly unknown[]): w is number[] {
  return (
    w.every((v) => typeof v === "number" && Number.isFinite(v) && v >= 0) && w.some((v) => (v as number) > 0)
  );
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Weights as a message shows them: JSON would print NaN and Infinity as null. */
function describeWeights(w: unknown): string {
  return Array.isArray(w)
    ? `[${w.map((v) => (typeof v === "number" ? String(v) : JSON.stringify(v))).join(", ")}]`
    : JSON.stringify(w);
}
