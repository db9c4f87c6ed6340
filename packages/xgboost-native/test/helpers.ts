// Seeded data for the tests, and small metrics computed independently of XGBoost.
import { test } from "node:test";
import { xgboostAvailable, xgboostLoadError } from "../src/index.js";

/**
 * Suites that need libxgboost skip with this reason when the addon does not load. Under CI
 * (CI=true, where the addon is built) a missing addon is a broken setup, not a pass: each test
 * file that imports this gets one failing test saying so (its message says how to build it).
 */
export const skipReason: string | false = xgboostAvailable() ? false : (xgboostLoadError() ?? "unavailable");
if (skipReason && process.env.CI === "true")
  test("the xgboost-native addon is built (CI=true requires it)", () => {
    throw new Error(`CI=true, but the addon is missing: ${skipReason}`);
  });

/** A seeded generator of floats in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Dataset {
  x: Float32Array;
  y: Float32Array;
  rows: number;
  cols: number;
}

/** `rows` rows of `cols` features uniform in [-1, 1), labelled by `rule`. */
export function makeDataset(
  rows: number,
  cols: number,
  seed: number,
  rule: (row: Float32Array) => number,
): Dataset {
  const next = random(seed);
  const x = new Float32Array(rows * cols);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) x[r * cols + c] = next() * 2 - 1;
    y[r] = rule(x.subarray(r * cols, (r + 1) * cols));
  }
  return { x, y, rows, cols };
}

/** Binary: 1 when x0 and x1 have the same sign (an XOR, which no linear model learns); x2, x3 are noise. */
export const xorRule = (row: Float32Array): number => (row[0] * row[1] > 0 ? 1 : 0);

/** Three classes: 0 inside the circle x0² + x1² < 0.4, else 1 when x2 > 0, else 2; x3, x4 are noise. */
export const ringRule = (row: Float32Array): number =>
  row[0] ** 2 + row[1] ** 2 < 0.4 ? 0 : row[2] > 0 ? 1 : 2;

/** Flips each label of a binary dataset with probability `rate`. */
export function flipLabels(y: Float32Array, rate: number, seed: number): Float32Array {
  const next = random(seed);
  return y.map((v) => (next() < rate ? 1 - v : v));
}

/** Share of rows where p > 0.5 agrees with the 0/1 label. */
export function binaryAccuracy(p: Float32Array, y: Float32Array): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) if (p[i] > 0.5 === (y[i] === 1)) right++;
  return right / y.length;
}

/** Share of rows whose most probable class (row-major [rows, classes]) is the label. */
export function multiAccuracy(p: Float32Array, y: Float32Array, classes: number): number {
  let right = 0;
  for (let r = 0; r < y.length; r++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (p[r * classes + k] > p[r * classes + best]) best = k;
    if (best === y[r]) right++;
  }
  return right / y.length;
}

/** Mean binary log loss, with probabilities clipped as XGBoost's logloss metric does (1e-16). */
export function logloss(p: Float32Array, y: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p[i], 1e-16), 1 - 1e-16);
    sum -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
  }
  return sum / y.length;
}

/** Mean multi-class log loss of row-major [rows, classes] probabilities. */
export function mlogloss(p: Float32Array, y: Float32Array, classes: number): number {
  let sum = 0;
  for (let r = 0; r < y.length; r++) sum -= Math.log(Math.max(p[r * classes + y[r]], 1e-16));
  return sum / y.length;
}

/** Whether two Float32Arrays hold the same bits. */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}
