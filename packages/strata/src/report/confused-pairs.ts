/** One kind of mistake: examples of `truth` predicted as `predicted`. */
export interface ConfusedPair {
  readonly truth: string;
  readonly predicted: string;
  readonly count: number;
  /** Of the examples of `truth`. */
  readonly share: number;
}

/**
 * The most frequent mistakes, from a confusion matrix (rows: true class, columns: predicted),
 * largest count first (ties: larger share of the true class first); at most `limit`.
 * fastai's `most_confused`.
 */
export function mostConfused(
  labels: readonly string[],
  matrix: readonly (readonly number[])[],
  limit = 8,
): ConfusedPair[] {
  const pairs: ConfusedPair[] = [];
  matrix.forEach((row, t) => {
    const total = row.reduce((s, v) => s + v, 0);
    row.forEach((count, p) => {
      if (p !== t && count > 0)
        pairs.push({ truth: labels[t], predicted: labels[p], count, share: total > 0 ? count / total : 0 });
    });
  });
  return pairs.sort((a, b) => b.count - a.count || b.share - a.share).slice(0, limit);
}
