/** One step of a learning-rate sweep: the rate it trained at and the smoothed loss after it. */
export interface LrPoint {
  readonly lr: number;
  /** The loss smoothed over the steps so far (exponential moving average, debiased). */
  readonly loss: number;
}

/** A suggested rate and how it was picked. */
export interface LrSuggestion {
  readonly suggested: number;
  /** The rule's name ("valley"). */
  readonly rule: string;
  /** One sentence on the rule, for users. */
  readonly about: string;
}

export const VALLEY_ABOUT =
  "valley (fastai): the longest stretch over which the smoothed loss keeps falling, and the rate about two thirds of the way down it";

/**
 * fastai's "valley" rule: the longest descending run of the smoothed loss (a longest
 * decreasing subsequence, so single bumps do not cut it), and the point 2/3 of the way along
 * it. The first tenth and the last few points are left out as fastai does (the start is flat
 * noise, the end is the blow-up). Throws when there are too few points to look at.
 */
export function valleySuggestion(points: readonly LrPoint[]): LrSuggestion {
  const from = Math.floor(points.length / 10);
  const to = Math.max(from + 2, points.length - 5);
  const kept = points.slice(from, to);
  const n = kept.length;
  if (n < 3) throw new Error(`lr-find: ${points.length} points are too few to suggest a rate`);
  // run[i]: the length of the longest decreasing subsequence ending at i.
  const run = new Array<number>(n).fill(1);
  let end = 0;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) if (kept[i].loss < kept[j].loss && run[j] + 1 > run[i]) run[i] = run[j] + 1;
    if (run[i] > run[end]) end = i;
  }
  const start = end - run[end];
  const third = (end - start) / 3;
  const at = Math.min(n - 1, Math.max(0, start + Math.floor(third) + Math.floor(third / 2)));
  return { suggested: kept[at].lr, rule: "valley", about: VALLEY_ABOUT };
}
