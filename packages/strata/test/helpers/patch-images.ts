import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { Rng } from "../../src/util/random.js";

/**
 * Writes size×size PNGs of random noise into root/<class>/: class "patch" has a bright square in
 * the top-left corner (a quarter of the side, a little off the edge), class "plain" none. An image
 * set whose class is decided by one corner, so an explanation's answer is known.
 */
export async function writePatchImages(
  root: string,
  size: number,
  perClass: number,
  seed: number,
): Promise<{ x: string[]; y: string[] }> {
  const rng = new Rng(seed);
  const x: string[] = [];
  const y: string[] = [];
  const side = Math.round(size / 4);
  for (const label of ["patch", "plain"]) {
    mkdirSync(join(root, label), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const pixels = Buffer.alloc(size * size * 3);
      for (let p = 0; p < pixels.length; p++) pixels[p] = 20 + rng.int(110);
      if (label === "patch") {
        const at = 1 + rng.int(3);
        for (let r = at; r < at + side; r++)
          for (let c = at; c < at + side; c++) pixels.fill(250, (r * size + c) * 3, (r * size + c) * 3 + 3);
      }
      const file = join(root, label, `${i}.png`);
      await sharp(pixels, { raw: { width: size, height: size, channels: 3 } })
        .png()
        .toFile(file);
      x.push(file);
      y.push(label);
    }
  }
  return { x, y };
}

/** The share of a map's mass in its top-left quadrant. */
export function topLeftMass(map: readonly (readonly number[])[]): number {
  const rows = map.length;
  const cols = map[0].length;
  let mass = 0;
  for (let r = 0; r < rows / 2; r++) for (let c = 0; c < cols / 2; c++) mass += map[r][c];
  return mass;
}
