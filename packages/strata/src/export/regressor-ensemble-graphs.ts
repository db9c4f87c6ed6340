import type { TableData } from "../data/plain.js";
import type { Regressor } from "../estimators/regressor.js";
import type { AnyRegressor } from "../estimators/regressor-types.js";
import type { StackingRegressor } from "../estimators/stacking-regressor.js";
import type { VotingRegressor } from "../estimators/voting-regressor.js";
import type { ExportContext } from "./export-context.js";
import type { RegressorGraph } from "./kind-graph.js";

/** What the writers read of a regressor ensemble (VotingRegressor and StackingRegressor have it). */
interface Ensemble {
  readonly members: readonly Regressor<TableData>[];
  readonly memberNames: readonly string[];
}

/**
 * The members' predictions side by side, [rows, members], each by its kind's writer; for the
 * exported ensemble (not a nested one), each member's also an output `vote/<member name>`
 * ([rows, 1]), as `strata predict --votes` shows them.
 */
function membersPredictions(ctx: ExportContext, ensemble: Ensemble): string {
  const inner = ctx.inner();
  // A regressor ensemble's members take tables, as it does.
  const predictions = ensemble.members.map((member) => inner.prediction(member as AnyRegressor));
  if (!ctx.nested)
    ensemble.members.forEach((member, i) => {
      ctx.vote(ensemble.memberNames[i], member.kind, predictions[i], 1);
    });
  return predictions.length === 1 ? predictions[0] : ctx.g.op("Concat", predictions, { axis: { int: 1 } });
}

/** A vote: the members' predictions weighted (VotingRegressor.weights, summing to 1) and summed. */
export const voteRegressorGraph: RegressorGraph = {
  kind: "vote-regressor",
  prediction(ctx, model) {
    const vote = model as unknown as VotingRegressor;
    const members = membersPredictions(ctx, vote);
    const weights = ctx.g.floats("vote_weights", vote.weights, [vote.weights.length, 1], "constant");
    return ctx.g.op("MatMul", [members, weights]);
  },
};

/**
 * A stack: its Ridge meta-model over the members' predictions as they are (no passthrough, no
 * standardising): intercept + Σ coef[i] · member i's prediction, as StackingRegressor.combine.
 */
export const stackRegressorGraph: RegressorGraph = {
  kind: "stack-regressor",
  prediction(ctx, model) {
    const stack = model as unknown as StackingRegressor;
    const members = membersPredictions(ctx, stack);
    const { coef, intercept } = stack.metaWeights;
    const g = ctx.g;
    const product = g.op("MatMul", [members, g.floats("meta_coef", coef, [coef.length, 1], "weight")]);
    return g.op("Add", [product, g.floats("meta_intercept", [intercept], [1], "parameter")]);
  },
};
