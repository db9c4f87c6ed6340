import { StrataError } from "../errors.js";

/**
 * How raw pixel values (0..255) become network inputs, stored as plain JSON in a model's
 * manifest so prediction scales exactly as training did:
 *
 * - `{ kind: "divide", by: 255 }`: `v / by` (the default; inputs in 0..1);
 * - `{ kind: "standardize", mean, std }`: `(v - mean[c]) / std[c]` per channel c, with
 *   `mean` and `std` in raw 0..255 units (one entry per channel).
 */
export type PixelScaling =
  | { kind: "divide"; by: number }
  | { kind: "standardize"; mean: number[]; std: number[] };

/** The default scaling: divide by 255. */
export const DEFAULT_SCALING: PixelScaling = { kind: "divide", by: 255 };

/**
 * Checks a scaling (e.g. one read back from JSON) against the channel count. Throws a
 * StrataError for an unknown kind, a non-positive divisor or std, or a mean/std whose length
 * is not `channels`.
 */
export function checkScaling(scaling: PixelScaling, channels: number): void {
  if (scaling.kind === "divide") {
    if (!(Number.isFinite(scaling.by) && scaling.by > 0)) {
      throw new StrataError(`pixel scaling "divide" needs a positive number, got ${scaling.by}`);
    }
    return;
  }
  if (scaling.kind === "standardize") {
    const { mean, std } = scaling;
    if (!Array.isArray(mean) || !Array.isArray(std) || mean.length !== channels || std.length !== channels) {
      throw new StrataError(`pixel scaling "standardize" needs ${channels} mean and ${channels} std values`);
    }
    if (!mean.every(Number.isFinite) || !std.every((s) => Number.isFinite(s) && s > 0)) {
      throw new StrataError(`pixel scaling "standardize" needs finite means and positive stds`);
    }
    return;
  }
  throw new StrataError(`unknown pixel scaling kind "${(scaling as { kind: unknown }).kind}"`);
}

/**
 * Scales HWC pixel values IN PLACE (any number of images back to back: the channel of
 * element i is `i % channels`) and returns the same array.
 */
export function applyScaling(values: Float32Array, scaling: PixelScaling, channels: number): Float32Array {
  checkScaling(scaling, channels);
  if (scaling.kind === "divide") {
    const inv = 1 / scaling.by;
    for (let i = 0; i < values.length; i++) values[i] *= inv;
    return values;
  }
  const { mean } = scaling;
  const inv = scaling.std.map((s) => 1 / s);
  for (let i = 0; i < values.length; i += channels) {
    for (let c = 0; c < channels; c++) values[i + c] = (values[i + c] - mean[c]) * inv[c];
  }
  return values;
}

/**
 * Per-channel mean and (population) standard deviation of HWC images in raw units, as a
 * "standardize" scaling. Pass a sample of the TRAINING images only. Throws when given none.
 */
export function fitStandardize(images: Iterable<Float32Array | Uint8Array>, channels: number): PixelScaling {
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  let count = 0;
  for (const img of images) {
    for (let i = 0; i < img.length; i += channels) {
      for (let c = 0; c < channels; c++) {
        const v = img[i + c];
        sum[c] += v;
        sumSq[c] += v * v;
      }
    }
    count += img.length / channels;
  }
  if (count === 0) throw new StrataError("cannot fit pixel standardization on zero images");
  const mean = Array.from(sum, (s) => s / count);
  const std = Array.from(sumSq, (s, c) => Math.sqrt(Math.max(s / count - mean[c] ** 2, 0)) || 1);
  return { kind: "standardize", mean, std };
}
