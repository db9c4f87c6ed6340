import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { Rng } from "../../src/util/random.js";

/** The classes of the generated images. */
export const SHAPES = ["blob", "bars", "ring"] as const;
export type Shape = (typeof SHAPES)[number];

/**
 * Raw RGB pixels (size × size × 3) of one generated image: a bright blob, horizontal bars or
 * a ring at a random place and colour over a noisy background. Easy enough for a tiny CNN to
 * learn in a few epochs, noisy enough that it makes some mistakes.
 */
export function shapePixels(shape: Shape, seed: number, size = 16): Buffer {
  const rng = new Rng(seed);
  const rand = () => rng.next();
  const px = Buffer.alloc(size * size * 3);
  const [cr, cg, cb] = [80 + rand() * 175, 80 + rand() * 175, 80 + rand() * 175];
  const cx = size * (0.35 + 0.3 * rand());
  const cy = size * (0.35 + 0.3 * rand());
  const radius = size * (0.22 + 0.12 * rand());
  const noise = 70;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - cx, y - cy);
      const on =
        shape === "blob"
          ? d < radius
          : shape === "ring"
            ? Math.abs(d - radius) < 1.3
            : Math.floor(y / 2) % 2 === 0 && Math.abs(x - cx) < radius * 1.4;
      const i = 3 * (y * size + x);
      const base = on ? [cr, cg, cb] : [30, 30, 30];
      for (let c = 0; c < 3; c++) px[i + c] = Math.max(0, Math.min(255, base[c] + (rand() - 0.5) * noise));
    }
  }
  return px;
}

/** Writes one generated image as a PNG file. */
export async function writeShape(file: string, shape: Shape, seed: number, size = 16): Promise<void> {
  await sharp(shapePixels(shape, seed, size), { raw: { width: size, height: size, channels: 3 } })
    .png()
    .toFile(file);
}

/** A class-folder dataset of `perClass` generated images per shape in `dir` (dir/<shape>/<n>.png). */
export async function writeShapeFolder(dir: string, perClass: number, seed = 1): Promise<void> {
  for (const [k, shape] of SHAPES.entries()) {
    mkdirSync(join(dir, shape), { recursive: true });
    for (let i = 0; i < perClass; i++)
      await writeShape(
        join(dir, shape, `${String(i).padStart(3, "0")}.png`),
        shape,
        seed * 100_000 + k * 1000 + i,
      );
  }
}
