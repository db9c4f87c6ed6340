import type { FitSummary } from "./estimator.js";

/** A model's fit summary, or an empty one (no epochs, no seconds) when it keeps none. */
export function summaryOf(model: { readonly fitSummary?: FitSummary }): FitSummary {
  return model.fitSummary ?? { epochsRun: 0, bestEpoch: 0, seconds: 0 };
}

/**
 * An ensemble's fit summary: no epochs of its own (its members' summaries say what they ran), the
 * seconds since `started` (a performance.now()), and each member's summary under its name.
 */
export function ensembleSummary(
  names: readonly string[],
  members: readonly { readonly fitSummary?: FitSummary }[],
  started: number,
): FitSummary {
  return {
    epochsRun: 0,
    bestEpoch: 0,
    seconds: (performance.now() - started) / 1000,
    members: names.map((name, i) => ({ name, summary: summaryOf(members[i]) })),
  };
}
