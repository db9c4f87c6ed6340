import type { Timing } from "./types.js";

/** Each fit's seconds, then the whole command's when known. */
export function timings(fits: readonly [string, number][], elapsed: number | undefined): Timing[] {
  return [
    ...fits.map(([label, seconds]) => ({ label, seconds })),
    ...(elapsed === undefined ? [] : [{ label: "whole command", seconds: elapsed }]),
  ];
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}
