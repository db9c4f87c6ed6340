import { StrataError } from "../errors.js";
import type { Params } from "../util/params.js";
import type { KindResolver } from "./descriptor.js";
import type { Manifest } from "./estimator.js";
import { checkSavedParams } from "./param-check.js";
import { RegressorEnsemble } from "./regressor-ensemble.js";
import { VOTING_REGRESSOR_PARAMS, type VotingRegressorParams } from "./regressor-ensemble-params.js";

/** The members' weights, summing to 1. */
interface VoteWeights {
  readonly weights: readonly number[];
}

/**
 * The weighted mean of regressors' predictions (scikit-learn's VotingRegressor): each member is
 * fitted on all rows, and predicts; the weights are given (one per member) or equal.
 *
 * The members are made and read through the kinds it is given: the list of kinds
 * (estimators/kinds.ts, vote's twin) makes it with its own resolver. `VotingRegressor`
 * (voting-regressor.ts) is this bound to strata's kinds.
 */
export class VotingRegressorEnsemble extends RegressorEnsemble<VotingRegressorParams, VoteWeights> {
  readonly kind = "vote-regressor";

  constructor(params: Partial<VotingRegressorParams>, kinds: KindResolver) {
    super("VotingRegressor", VOTING_REGRESSOR_PARAMS, params, kinds, (given, members) => {
      const w = given.weights;
      if (Array.isArray(w) && w.length !== members)
        throw new StrataError(
          `VotingRegressor: weights must be one per member: ${members} members, ${w.length} weights`,
        );
    });
  }

  /** Reads a directory written by writeFiles (its manifest checked), the members through `kinds`. */
  static async read(dir: string, manifest: Manifest, kinds: KindResolver): Promise<VotingRegressorEnsemble> {
    const params = manifest.params as Partial<VotingRegressorParams>;
    return checkSavedParams(dir, () => new VotingRegressorEnsemble(params, kinds)).readState(dir, manifest);
  }

  /** The weights the vote uses, one per member, summing to 1. */
  get weights(): readonly number[] {
    return this.fitted().combiner.weights;
  }

  protected outOfFoldFolds(): undefined {
    return undefined;
  }

  protected async learnCombiner(): Promise<VoteWeights> {
    const given = this.params.weights ?? this.params.members.map(() => 1);
    const total = given.reduce((a, b) => a + b, 0);
    return { weights: given.map((w) => w / total) };
  }

  protected combine(predictions: readonly Float64Array[], { weights }: VoteWeights): Float64Array {
    const out = new Float64Array(predictions[0].length);
    for (const [i, p] of predictions.entries()) {
      const w = weights[i];
      if (w === 0) continue;
      for (let r = 0; r < out.length; r++) out[r] += w * p[r];
    }
    return out;
  }

  protected combinerJson({ weights }: VoteWeights): Params {
    return { weights: [...weights] };
  }

  protected readCombiner(saved: Params, path: string): VoteWeights {
    const w = saved.weights;
    if (
      !Array.isArray(w) ||
      w.length !== this.params.members.length ||
      !w.every((v) => typeof v === "number" && Number.isFinite(v))
    )
      throw new StrataError(`${path}: damaged: "combiner.weights" is not one finite number per member`);
    return { weights: w as number[] };
  }
}
