/*
 * A 32-bit FNV-1a-style hash of a fit's training data, which every rank of a data-parallel fit
 * compares at the start: ranks that read different data (another file, other options) would
 * otherwise train one model on a mix of them.
 */

import * as tf from "@tensorflow/tfjs-core";

const OFFSET = 0x811c9dc5;
const PRIME = 0x01000193;

/**
 * Folds bytes into a running hash (start with `OFFSET`, the default): FNV-1a's step over 32-bit
 * words (native byte order: the ranks' machines share it), then over the bytes left, ~9 times
 * faster than byte by byte (0.23 s for 256 MiB here). The words do not depend on where the bytes
 * sit in their buffer: an unaligned view is copied first.
 */
export function hashBytes(bytes: Uint8Array, hash = OFFSET): number {
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  const words = new Uint32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength >>> 2);
  let h = hash;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], PRIME);
  for (let i = words.length * 4; i < aligned.length; i++) h = Math.imul(h ^ aligned[i], PRIME);
  return h >>> 0;
}

/** Folds a typed array's bytes into a running hash. */
export function hashView(view: ArrayBufferView, hash = OFFSET): number {
  return hashBytes(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), hash);
}

/** Folds text (UTF-8) into a running hash. */
export function hashText(text: string, hash = OFFSET): number {
  return hashBytes(new TextEncoder().encode(text), hash);
}

/** Folds a tensor's values into a running hash, a slice of rows at a time (bounded memory). */
export function hashTensor(t: tf.Tensor, hash = OFFSET): number {
  const rows = t.shape[0] ?? 0;
  if (t.rank === 0 || rows === 0) return hashView(t.dataSync(), hash);
  const perRow = t.size / rows;
  const step = Math.max(1, Math.floor(2 ** 22 / Math.max(1, perRow)));
  let h = hash;
  for (let from = 0; from < rows; from += step) {
    const n = Math.min(step, rows - from);
    const part = tf.slice(t, [from, ...t.shape.slice(1).map(() => 0)], [n, ...t.shape.slice(1)]);
    h = hashView(part.dataSync(), h);
    part.dispose();
  }
  return h;
}
