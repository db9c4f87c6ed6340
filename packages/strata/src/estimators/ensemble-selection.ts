import type { Matrix } from "../util/matrix.js";

const EPS = 1e-15;

export interface EnsembleSelection {
  /** One weight per model, summing to 1 (how often it was picked, over the rounds kept). */
  readonly weights: number[];
  /** The log loss of the ensemble after each round. */
  readonly trajectory: number[];
  /** Rounds kept: the prefix of the trajectory with the lowest loss. */
  readonly rounds: number;
}

/**
 * Caruana et al.'s ensemble selection with replacement (2004), as AutoGluon weights its ensembles:
 * start from nothing and, each round, add the model (again, possibly) whose addition gives the
 * average of the picked models' probabilities the lowest log loss on `yIndex`. Weights are the
 * pick counts of the best prefix (an extra round can only add noise). Ties go to the lower index.
 *
 * `proba`: each model's out-of-fold probabilities, shape [rows, classes]; `yIndex`: each row's class.
 */
export function greedyEnsembleSelection(
  proba: readonly Matrix[],
  yIndex: Int32Array,
  rounds: number,
): EnsembleSelection {
  const m = proba.length;
  const n = yIndex.length;
  // Only the true class's probability enters the log loss: keep that column of each model.
  const truth = proba.map((p) => Float64Array.from(yIndex, (c, r) => p.data[r * p.cols + c]));
  const sum = new Float64Array(n);
  const counts = new Array<number>(m).fill(0);
  const trajectory: number[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, counts: counts.slice(), rounds: 0 };
  for (let round = 1; round <= rounds; round++) {
    let pick = 0;
    let pickLoss = Number.POSITIVE_INFINITY;
    for (let j = 0; j < m; j++) {
      let loss = 0;
      for (let r = 0; r < n; r++) loss -= Math.log(Math.max((sum[r] + truth[j][r]) / round, EPS));
      loss /= n;
      if (loss < pickLoss) {
        pickLoss = loss;
        pick = j;
      }
    }
    counts[pick]++;
    for (let r = 0; r < n; r++) sum[r] += truth[pick][r];
    trajectory.push(pickLoss);
    if (pickLoss < best.loss) best = { loss: pickLoss, counts: counts.slice(), rounds: round };
  }
  return { weights: best.counts.map((c) => c / best.rounds), trajectory, rounds: best.rounds };
}
