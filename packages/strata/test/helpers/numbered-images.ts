import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { Rng } from "../../src/util/random.js";

/**
 * Writes `n` side×side RGB PNGs 0.png, 1.png, … under `root` (made), each drawn by `draw` from one
 * seeded generator (its pixels and its number); returns the files and their numbers.
 */
export async function writeNumberedImages(
  root: string,
  n: number,
  seed: number,
  side: number,
  draw: (rng: Rng) => { pixels: Buffer; target: number },
): Promise<{ x: string[]; y: number[] }> {
  mkdirSync(root, { recursive: true });
  const rng = new Rng(seed);
  const x: string[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const { pixels, target } = draw(rng);
    const file = join(root, `${i}.png`);
    await sharp(pixels, { raw: { width: side, height: side, channels: 3 } })
      .png()
      .toFile(file);
    x.push(file);
    y.push(target);
  }
  return { x, y };
}

/** side×side PNGs of noisy grey of random brightness under `root`, their target the brightness (30..220). */
export function brightnessImages(
  root: string,
  n: number,
  seed: number,
  side = 16,
): Promise<{ x: string[]; y: number[] }> {
  return writeNumberedImages(root, n, seed, side, (rng) => {
    const level = 30 + rng.int(191);
    const pixels = Buffer.alloc(side * side * 3);
    for (let p = 0; p < pixels.length; p++) pixels[p] = Math.max(0, Math.min(255, level - 20 + rng.int(41)));
    return { pixels, target: level };
  });
}
