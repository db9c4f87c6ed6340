import { Frame } from "../../src/data/frame.js";
import { Rng } from "../../src/util/random.js";

/** A standard normal draw from `rng` (Box–Muller). */
export function normalOf(rng: Rng): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * y = 3·x0 − 2·x1 + noise (sd 0.5), with a category `colour` that shifts y (red by 1) and x0
 * missing in every 29th row from the 8th: a table that a line fits, with the cells a regressor
 * must handle.
 */
export function linearTable(n: number, seed: number): { x: Frame; y: number[] } {
  const rng = new Rng(seed);
  const normal = normalOf(rng);
  const x0: (number | null)[] = [];
  const x1: number[] = [];
  const colour: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = normal();
    const b = normal();
    const c = ["red", "green", "blue"][rng.int(3)];
    x0.push(i % 29 === 7 ? null : a);
    x1.push(b);
    colour.push(c);
    y.push(3 * a - 2 * b + (c === "red" ? 1 : 0) + 0.5 * normal());
  }
  return { x: Frame.fromColumns({ x0, x1, colour }), y };
}
