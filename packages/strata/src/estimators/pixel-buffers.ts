import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { describe } from "../data/plain.js";
import { StrataError } from "../errors.js";

/**
 * An image as pixels in memory: `height` rows of `width` pixels, each `channels` bytes (1 gray,
 * 2 gray and alpha, 3 RGB, 4 RGBA), row after row: what sharp's `raw()`, a canvas's ImageData or
 * a camera frame give.
 */
export interface PixelBuffer {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 2 | 3 | 4;
}

/** What an image estimator takes as X: image files, or images as pixels in memory, or both. */
export type ImageData = readonly (string | PixelBuffer)[];

/**
 * Runs `work` on the images as files: paths as they are, pixel buffers written (losslessly, as
 * PNG) to a temporary folder that is removed however `work` ends. Returns what work returns,
 * and maps a temporary file's path in a message back to `images[i]` with `name`.
 */
export async function withImageFiles<T>(
  images: ImageData,
  work: (files: readonly string[], name: (file: string) => string) => Promise<T>,
): Promise<T> {
  if (!Array.isArray(images))
    throw new StrataError(`expected a list of image files or pixel buffers, got ${describe(images)}`);
  const buffers = images.flatMap((image, i) => (typeof image === "string" ? [] : [i]));
  if (buffers.length === 0) return work(images as readonly string[], (file) => file);
  for (const i of buffers) checkBuffer(images[i], i);
  const dir = await mkdtemp(join(tmpdir(), "strata-pixels-"));
  try {
    const files = images.map((image, i) => (typeof image === "string" ? image : join(dir, `${i}.png`)));
    for (const i of buffers) {
      const b = images[i] as PixelBuffer;
      await sharp(b.data, { raw: { width: b.width, height: b.height, channels: b.channels } })
        .png({ compressionLevel: 1 })
        .toFile(files[i]);
    }
    const byFile = new Map(buffers.map((i) => [files[i], `images[${i}]`]));
    return await work(files, (file) => byFile.get(file) ?? file);
  } catch (e) {
    // A message about a temporary file names the buffer instead.
    if (e instanceof StrataError) throw new StrataError(e.message.replaceAll(`${dir}/`, "images: "));
    throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function checkBuffer(image: unknown, i: number): void {
  const bad = (what: string): never => {
    throw new StrataError(`images[${i}]: ${what}`);
  };
  if (typeof image !== "object" || image === null)
    bad(
      `expected an image file's path or a pixel buffer { data, width, height, channels }, got ${describe(image)}`,
    );
  const b = image as Partial<PixelBuffer>;
  if (!(b.data instanceof Uint8Array || b.data instanceof Uint8ClampedArray))
    bad("a pixel buffer's data must be a Uint8Array (or a Buffer or Uint8ClampedArray) of bytes");
  for (const field of ["width", "height"] as const)
    if (!(Number.isInteger(b[field]) && (b[field] as number) > 0))
      bad(`a pixel buffer's ${field} must be a positive integer, got ${describe(b[field])}`);
  if (![1, 2, 3, 4].includes(b.channels as number))
    bad(`a pixel buffer's channels must be 1, 2, 3 or 4, got ${describe(b.channels)}`);
  const expected = (b.width as number) * (b.height as number) * (b.channels as number);
  if (b.data?.length !== expected)
    bad(
      `the pixel buffer holds ${b.data?.length} bytes, but ${b.width}×${b.height} pixels of ${b.channels} channel${b.channels === 1 ? "" : "s"} are ${expected}`,
    );
}
