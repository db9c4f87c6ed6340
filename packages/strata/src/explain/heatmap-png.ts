import { existsSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { OutputInfo } from "sharp";
import { StrataError } from "../errors.js";
import { DEFAULT_MAX_PIXELS } from "../images/decode.js";
import { writeFileAtomic } from "../util/atomic.js";

/** How much of the colour map shows over the image. */
export const OVERLAY_ALPHA = 0.45;

/**
 * The overlay files for `files` × `members` in `outDir` (`<image>.<member>.gradcam.png`; images
 * of the same name from different folders numbered `<n>-<image>`), checked before any is
 * written: one that exists is a StrataError (strata never replaces a file it did not create).
 * Shape: [file][member].
 */
export function overlayPaths(
  outDir: string,
  files: readonly string[],
  members: readonly string[],
): string[][] {
  const stems = files.map((f) => basename(f, extname(f)));
  const repeated = new Set(stems.filter((s, i) => stems.indexOf(s) !== i));
  return files.map((_, i) => {
    const stem = repeated.has(stems[i]) ? `${i + 1}-${stems[i]}` : stems[i];
    return members.map((member) => {
      const path = join(outDir, `${safe(stem)}.${safe(member)}.gradcam.png`);
      if (existsSync(path))
        throw new StrataError(`${path}: already exists; strata writes Grad-CAM overlays only to new files`);
      return path;
    });
  });
}

/** A name as a file name's part: path separators and odd characters become "-". */
function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, "-");
}

export interface OverlayOptions {
  /** Shrinks the image (aspect kept) to at most this many pixels a side first; absent: its own size. */
  readonly maxSide?: number;
}

/**
 * The heatmap over the image as a PNG: the map (rows at the layer's resolution) upsampled
 * bilinearly to the image's size (as EXIF orientation shows it), scaled to its maximum, coloured
 * with the jet colour map and blended over the image with alpha `OVERLAY_ALPHA`.
 */
export async function heatmapOverlayPng(
  image: string,
  heatmap: readonly (readonly number[])[],
  options: OverlayOptions = {},
): Promise<Buffer> {
  // Loaded on first use, as images/decode.ts does: importing strata stays cheap for tables.
  const { default: sharp } = await import("sharp");
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    const oriented = sharp(image, { pages: 1, limitInputPixels: DEFAULT_MAX_PIXELS })
      .rotate()
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb");
    const side = options.maxSide;
    const sized = side
      ? oriented.resize({ width: side, height: side, fit: "inside", withoutEnlargement: true })
      : oriented;
    decoded = await sized.raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw new StrataError(`${image}: cannot read the image for its overlay (${(e as Error).message})`);
  }
  const { width, height, channels } = decoded.info;
  const values = upsample(heatmap, width, height);
  const peak = values.reduce((m, v) => Math.max(m, v), 0);
  const out = Buffer.alloc(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const colour = jet(peak > 0 ? values[p] / peak : 0);
    for (let c = 0; c < 3; c++) {
      const under = decoded.data[p * channels + (channels >= 3 ? c : 0)];
      out[p * 3 + c] = Math.round((1 - OVERLAY_ALPHA) * under + OVERLAY_ALPHA * colour[c]);
    }
  }
  return sharp(out, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Writes the overlay to `out` atomically; an existing `out` is a StrataError, never replaced. */
export async function writeHeatmapOverlay(
  image: string,
  heatmap: readonly (readonly number[])[],
  out: string,
): Promise<void> {
  if (existsSync(out))
    throw new StrataError(`${out}: already exists; strata writes Grad-CAM overlays only to new files`);
  await writeFileAtomic(out, await heatmapOverlayPng(image, heatmap));
}

/** Bilinear upsampling of a map to width × height (pixel centres aligned, edges clamped). */
export function upsample(map: readonly (readonly number[])[], width: number, height: number): Float32Array {
  const rows = map.length;
  const cols = map[0]?.length ?? 0;
  const out = new Float32Array(width * height);
  if (rows === 0 || cols === 0) return out;
  const clamp = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  for (let y = 0; y < height; y++) {
    const sy = clamp(((y + 0.5) * rows) / height - 0.5, rows - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, rows - 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = clamp(((x + 0.5) * cols) / width - 0.5, cols - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, cols - 1);
      const fx = sx - x0;
      const top = map[y0][x0] * (1 - fx) + map[y0][x1] * fx;
      const bottom = map[y1][x0] * (1 - fx) + map[y1][x1] * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** The jet colour map: 0 dark blue, 0.5 green-yellow, 1 dark red; [r, g, b] in 0..255. */
function jet(t: number): [number, number, number] {
  const channel = (centre: number) => 255 * Math.min(Math.max(1.5 - Math.abs(4 * t - centre), 0), 1);
  return [channel(3), channel(2), channel(1)];
}
