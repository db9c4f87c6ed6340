import { stat } from "node:fs/promises";
import type { Sharp, SharpOptions } from "sharp";
import { StrataError } from "../errors.js";

/** How an image is brought to the target size (see {@link DecodeOptions.fit}). */
export type ResizeFit = "fill" | "cover";

export interface DecodeOptions {
  width: number;
  height: number;
  /** 1 = grayscale, 3 = RGB. Any input (gray, gray+alpha, RGB, RGBA, palette) is converted. */
  channels: 1 | 3;
  /**
   * "fill" (default) stretches the whole image to width × height, ignoring its aspect ratio:
   * nothing is cut off, which matters for small objects near the border, and square datasets
   * (CIFAR, MNIST) are unaffected. "cover" keeps the aspect ratio and crops the centre.
   */
  fit?: ResizeFit;
  /** Decompression-bomb guard: refuse inputs with more pixels than this (default 100 megapixels). */
  maxPixels?: number;
}

/** Default for {@link DecodeOptions.maxPixels}: 100 megapixels. */
export const DEFAULT_MAX_PIXELS = 100_000_000;

type SharpFactory = (input: string, options?: SharpOptions) => Sharp;
let sharpModule: Promise<SharpFactory> | undefined;

/** sharp (and libvips with it) is loaded on first use, so `import "strata"` stays cheap for tables. */
function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import("sharp").then((m) => m.default);
  return sharpModule;
}

/**
 * Decodes one image file to raw 8-bit pixels: a Uint8Array of length
 * `height * width * channels` in HWC order (row by row, the channels of a pixel adjacent).
 *
 * Steps: EXIF orientation applied (`rotate()`); the first frame only for GIF/animated WebP;
 * transparency flattened over white; converted to sRGB (3 channels) or to luminance
 * (1 channel); resized with `fit` (default "fill", i.e. stretched to exactly width × height).
 *
 * Throws a StrataError naming the file for a missing or zero-byte file, a file that is not an
 * image, a truncated or corrupt image, and an image with more than `maxPixels` pixels (the
 * message gives its width × height).
 */
export async function decodeImageBytes(file: string, opts: DecodeOptions): Promise<Uint8Array> {
  checkShape(opts);
  const size = await fileSize(file);
  if (size === 0) throw new StrataError(`${file}: file is empty (0 bytes)`);
  const sharp = await loadSharp();
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  let data: Buffer;
  let channels: number;
  try {
    const result = await sharp(file, { pages: 1, limitInputPixels: maxPixels, failOn: "error" })
      .rotate()
      .flatten({ background: "#ffffff" })
      .toColourspace(opts.channels === 3 ? "srgb" : "b-w")
      .resize(opts.width, opts.height, { fit: opts.fit ?? "fill", position: "centre" })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    data = result.data;
    channels = result.info.channels;
  } catch (e) {
    throw await decodeError(file, e, maxPixels, sharp);
  }
  if (channels !== opts.channels || data.length !== opts.width * opts.height * opts.channels) {
    throw new StrataError(
      `${file}: decoded to ${channels} channel(s) and ${data.length} bytes, expected ` +
        `${opts.height}×${opts.width}×${opts.channels}`,
    );
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}

/**
 * Decodes one image file to a Float32Array of length `height * width * channels` (HWC),
 * values 0..255 (not scaled: see `applyScaling`). Same steps and errors as
 * {@link decodeImageBytes}.
 */
export async function decodeImage(file: string, opts: DecodeOptions): Promise<Float32Array> {
  return Float32Array.from(await decodeImageBytes(file, opts));
}

function checkShape(opts: DecodeOptions): void {
  for (const key of ["width", "height"] as const) {
    const v = opts[key];
    if (!Number.isInteger(v) || v < 1)
      throw new StrataError(`image ${key} must be a whole number >= 1, got ${v}`);
  }
  if (opts.channels !== 1 && opts.channels !== 3) {
    throw new StrataError(`image channels must be 1 or 3, got ${String(opts.channels)}`);
  }
}

async function fileSize(file: string): Promise<number> {
  try {
    const s = await stat(file);
    if (s.isDirectory()) throw new StrataError(`${file}: is a folder, expected an image file`);
    return s.size;
  } catch (e) {
    if (e instanceof StrataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new StrataError(`${file}: ${code === "ENOENT" ? "file not found" : `cannot read (${code})`}`);
  }
}

/**
 * What to do about an image over the pixel limit. The CLI and serve have no option to raise it
 * (it guards against decompression bombs), so the advice is to make the image smaller.
 */
function bombAdvice(maxPixels: number): string {
  const side = Math.floor(Math.sqrt(maxPixels));
  return `(a guard against decompression bombs): resize the image to at most ${maxPixels} pixels (e.g. ${side}×${side}) and give it again`;
}

/** Turns sharp's (often multi-line, repetitive) error into one short line naming the file. */
async function decodeError(
  file: string,
  e: unknown,
  maxPixels: number,
  sharp: SharpFactory,
): Promise<StrataError> {
  const message = e instanceof Error ? e.message : String(e);
  if (/pixel limit/i.test(message)) {
    try {
      const { width, height } = await sharp(file, { limitInputPixels: false }).metadata();
      if (width !== undefined && height !== undefined) {
        return new StrataError(
          `${file}: ${width}×${height} = ${width * height} pixels exceeds the limit of ${maxPixels} ${bombAdvice(maxPixels)}`,
        );
      }
    } catch {
      // fall through to the generic message
    }
    return new StrataError(
      `${file}: image exceeds the limit of ${maxPixels} pixels ${bombAdvice(maxPixels)}`,
    );
  }
  if (/unsupported image format/i.test(message)) {
    return new StrataError(`${file}: not a readable image (unsupported or unrecognised format)`);
  }
  const first = message.split("\n")[0].trim();
  const short = first.length > 120 ? `${first.slice(0, 117)}...` : first;
  return new StrataError(`${file}: corrupt or truncated image (${short})`);
}
