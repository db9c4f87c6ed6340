import type { Frame } from "./frame.js";

/**
 * Fingerprints of a table's rows (FNV-1a, 32 bits, over each row's values in the given column
 * order), so that a model directory can later tell which rows it was trained on without keeping
 * the rows themselves: 4 bytes a row. Two different rows share a fingerprint with odds of about
 * rows / 2^32 (under 1 in 100,000 for 40,000 training rows), so a count of matches is exact for
 * practical purposes. Written here rather than taken from a library: no maintained package does
 * just this, and a cryptographic hash would cost more for nothing.
 */
export function rowFingerprints(frame: Frame, columns: readonly string[]): Uint32Array {
  const cols = columns.map((name) => frame.column(name));
  const out = new Uint32Array(frame.nRows);
  for (let r = 0; r < frame.nRows; r++) {
    let h = 0x811c9dc5;
    for (const c of cols) {
      const v = c.values[r];
      // Numbers by their shortest exact text; missing as a byte no text has.
      const text = v === null || (typeof v === "number" && Number.isNaN(v)) ? "\u0000" : String(v);
      for (let i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
      }
      h ^= 0x1f; // column separator
      h = Math.imul(h, 0x01000193);
    }
    out[r] = h >>> 0;
  }
  return out;
}

/** The stored form: the distinct fingerprints, sorted, as base64 of little-endian uint32s. */
export function encodeFingerprints(prints: Uint32Array): string {
  const sorted = Uint32Array.from(new Set(prints)).sort();
  return Buffer.from(sorted.buffer, sorted.byteOffset, sorted.byteLength).toString("base64");
}

/** Reads encodeFingerprints' text back (null when it is not that). */
export function decodeFingerprints(text: string): Set<number> | null {
  const bytes = Buffer.from(text, "base64");
  if (bytes.length % 4 !== 0) return null;
  const set = new Set<number>();
  for (let i = 0; i < bytes.length; i += 4) set.add(bytes.readUInt32LE(i));
  return set;
}
