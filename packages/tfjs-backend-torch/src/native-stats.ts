/** Why a network has no native step (the first unsupported thing met), per reason: how often it was asked. */
const fallbackCounts = new Map<string, number>();
let nativeSteps = 0;
let nativeForwards = 0;

/**
 * How many native steps and native inference calls (predict, evaluate) ran and, per reason, how
 * many networks fell back to TF.js (strata prefixes inference fallbacks with "inference: ").
 */
export function nativeTrainingStats(): {
  steps: number;
  forwards: number;
  fallbacks: Record<string, number>;
} {
  return { steps: nativeSteps, forwards: nativeForwards, fallbacks: Object.fromEntries(fallbackCounts) };
}

/** Records that a network trains through TF.js instead (strata's loop calls it once per fit). */
export function countNativeFallback(reason: string): void {
  fallbackCounts.set(reason, (fallbackCounts.get(reason) ?? 0) + 1);
}

/** Counts one native training step (the runtime calls it). */
export function countNativeStep(): void {
  nativeSteps++;
}

/** Counts one native inference call: a predict or an evaluate (the runtime calls it). */
export function countNativeForward(): void {
  nativeForwards++;
}
