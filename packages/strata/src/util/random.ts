/**
 * A small seeded pseudo-random generator (sfc32), so splits, shuffles and weight
 * initialisation are reproducible from one integer seed. JS has no seedable
 * built-in generator, and pulling in a dependency for 20 lines is not worth it.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 spreads nearby seeds (0, 1, 2, …) into unrelated states.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A shuffled copy of 0..n-1. */
  permutation(n: number): number[] {
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }
}

/**
 * Runs `fn` with Math.random replaced by a generator seeded from `seed`.
 *
 * Why: TF.js draws dropout masks, unseeded initialisers and `fit`'s shuffling from
 * Math.random, and a fixed per-layer dropout seed would reuse one mask on every
 * step. Scoping Math.random is the only way to make a whole `fit` reproducible
 * without forking TF.js. Not safe for two concurrent fits in one process; strata
 * runs fits one after another.
 */
export async function withSeededMathRandom<T>(
  seed: number,
  fn: (reseed: (seed: number) => void) => Promise<T>,
): Promise<T> {
  const original = Math.random;
  let rng = new Rng(seed);
  Math.random = () => rng.next();
  try {
    // `reseed` restarts the stream (e.g. at each epoch, so a resumed fit draws what an uninterrupted one would).
    return await fn((s) => {
      rng = new Rng(s);
    });
  } finally {
    Math.random = original;
  }
}

/** Mixes two integers into a 32-bit seed (so seed 0 epoch 1 differs from seed 1 epoch 0). */
export function mixSeed(a: number, b: number): number {
  return (Math.imul(a ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(b + 1, 0x85ebca6b)) >>> 0;
}
