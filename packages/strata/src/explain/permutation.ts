import type { Frame } from "../data/frame.js";
import type { Classifier } from "../estimators/estimator.js";
import { encodeLabels } from "../estimators/labels.js";
import type { Regressor } from "../estimators/regressor.js";
import { targetValues } from "../estimators/regressor.js";
import { rmse } from "../metrics/regression.js";
import { argmaxRows, type Matrix } from "../util/matrix.js";
import { type PermutationOptions, runPermutation, type Scores } from "./permutation-run.js";
import type { ImportanceResult } from "./types.js";

export type { PermutationOptions } from "./permutation-run.js";

/** What a classifier ensemble adds: every member's probabilities from one pass. */
interface Voter {
  predictVotesReadable(x: Frame): Promise<{
    readonly members: readonly { readonly name: string; readonly proba: Matrix }[];
    readonly combined: Matrix;
  }>;
}

/** What a regressor ensemble (VotingRegressor, StackingRegressor) adds: every member's predictions. */
interface RegressorVoter {
  predictVotes(x: Frame): Promise<{
    readonly members: readonly { readonly name: string; readonly predictions: Float64Array }[];
    readonly combined: Float64Array;
  }>;
}

function isVoter(model: Classifier<Frame>): model is Classifier<Frame> & Voter {
  return typeof (model as Partial<Voter>).predictVotesReadable === "function";
}

function isRegressorVoter(model: Regressor<Frame>): model is Regressor<Frame> & RegressorVoter {
  return typeof (model as Partial<RegressorVoter>).predictVotes === "function";
}

function isRegressor(model: Classifier<Frame> | Regressor<Frame>): model is Regressor<Frame> {
  return (model as Partial<Regressor<Frame>>).task === "regression";
}

/** The ensemble's accuracy and each member's (none for a single model). */
function accuracyScorer(model: Classifier<Frame>, truth: Int32Array): (x: Frame) => Promise<Scores> {
  return async (x) => {
    if (isVoter(model)) {
      const votes = await model.predictVotesReadable(x);
      return {
        total: accuracyOf(votes.combined, truth),
        members: votes.members.map((m) => accuracyOf(m.proba, truth)),
        names: votes.members.map((m) => m.name),
      };
    }
    return { total: accuracyOf(await model.predictProba(x), truth), members: [], names: [] };
  };
}

/** The ensemble's RMSE and each member's (none for a single model), in the target's units. */
function rmseScorer(model: Regressor<Frame>, truth: Float64Array): (x: Frame) => Promise<Scores> {
  return async (x) => {
    if (isRegressorVoter(model)) {
      const votes = await model.predictVotes(x);
      return {
        total: rmse(truth, votes.combined),
        members: votes.members.map((m) => rmse(truth, m.predictions)),
        names: votes.members.map((m) => m.name),
      };
    }
    return { total: rmse(truth, await model.predict(x)), members: [], names: [] };
  };
}

function accuracyOf(proba: Matrix, truth: Int32Array): number {
  const predicted = argmaxRows(proba);
  let right = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) right++;
  return truth.length === 0 ? 0 : right / truth.length;
}

/**
 * Permutation importance (Breiman; scikit-learn's `permutation_importance`): for each column
 * (or block of columns shuffled together), how much worse the model scores on these labelled
 * rows when the column's values are shuffled across the rows, breaking its link to the target
 * while keeping its distribution; repeated with different shuffles, reported as mean and
 * standard deviation. A classifier (labels as text) is scored by accuracy, the importance its
 * drop; a regressor (numbers) by RMSE, the importance its rise in the target's units
 * (`metric` says which). For an ensemble, the same shuffles are scored for the ensemble and for
 * every member from one pass. What the number means: how much this model relies on the column
 * given the others: it measures the model, and only on held-out rows does it say what
 * generalises.
 */
export function permutationImportance(
  model: Classifier<Frame>,
  x: Frame,
  y: readonly string[],
  options?: PermutationOptions,
): Promise<ImportanceResult>;
export function permutationImportance(
  model: Regressor<Frame>,
  x: Frame,
  y: readonly number[],
  options?: PermutationOptions,
): Promise<ImportanceResult>;
export async function permutationImportance(
  model: Classifier<Frame> | Regressor<Frame>,
  x: Frame,
  y: readonly string[] | readonly number[],
  options: PermutationOptions = {},
): Promise<ImportanceResult> {
  if (isRegressor(model))
    return runPermutation(
      "rmse",
      rmseScorer(model, targetValues(y as readonly number[], x.nRows)),
      x,
      options,
    );
  const truth = encodeLabels(y as readonly string[], [...model.classes]);
  return runPermutation("accuracy", accuracyScorer(model, truth), x, options);
}
