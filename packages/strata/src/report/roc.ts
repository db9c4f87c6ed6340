import type { RocPoint } from "./types.js";

/**
 * The ROC curve of binary scores: (false positive rate, true positive rate) at every distinct
 * threshold, from (0, 0) to (1, 1), as scikit-learn's roc_curve. Tied scores make one diagonal
 * step. Thinned to about `maxPoints` points (the shape is kept; a report needs no more).
 * Undefined when one of the classes is absent.
 */
export function rocPoints(
  positive: readonly boolean[],
  scores: ArrayLike<number>,
  maxPoints = 200,
): RocPoint[] | undefined {
  const order = Array.from(positive, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const nPos = positive.filter(Boolean).length;
  const nNeg = positive.length - nPos;
  if (nPos === 0 || nNeg === 0) return undefined;
  const points: RocPoint[] = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  order.forEach((i, r) => {
    if (positive[i]) tp++;
    else fp++;
    const next = order[r + 1];
    if (next === undefined || scores[next] !== scores[i]) points.push({ fpr: fp / nNeg, tpr: tp / nPos });
  });
  if (points.length <= maxPoints) return points;
  const stride = Math.ceil(points.length / maxPoints);
  return points.filter((_, i) => i % stride === 0 || i === points.length - 1);
}
