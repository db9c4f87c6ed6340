import type { Sharp, SharpOptions } from "sharp";
import { argmaxRows, type Matrix } from "../util/matrix.js";
import type { Thumbnail } from "./types.js";

/** Longest side of a thumbnail, in pixels (images already smaller are not enlarged). */
const SIDE = 96;
/** Thumbnails are made of images up to this size only (a guard against decompression bombs). */
const MAX_PIXELS = 50_000_000;

type SharpFactory = (input: string, options?: SharpOptions) => Sharp;
let sharpModule: Promise<SharpFactory> | undefined;

/** An example whose predicted class is not its true one. */
export interface Miss {
  readonly file: string;
  readonly truth: string;
  readonly predicted: string;
  readonly confidence: number;
}

/**
 * The wrongly classified examples of scored image files, most confidently wrong first.
 * `proba` row r is the prediction for `files[kept[r]]`, whose true class is `truth[kept[r]]`.
 */
export function misses(
  files: readonly string[],
  truth: readonly string[],
  classes: readonly string[],
  proba: Matrix,
  kept: readonly number[],
): Miss[] {
  const predicted = argmaxRows(proba);
  const out: Miss[] = [];
  kept.forEach((i, r) => {
    const p = predicted[r];
    if (classes[p] !== truth[i])
      out.push({
        file: files[i],
        truth: truth[i],
        predicted: classes[p],
        confidence: proba.data[r * proba.cols + p],
      });
  });
  return out.sort((a, b) => b.confidence - a.confidence);
}

/**
 * Small embedded copies of images: PNG for small images (kept exact), JPEG for photographs.
 * An image that cannot be read is left out.
 */
export async function thumbnails(list: readonly Miss[]): Promise<Thumbnail[]> {
  sharpModule ??= import("sharp").then((m) => m.default);
  const sharp = await sharpModule;
  const out: Thumbnail[] = [];
  for (const m of list) {
    try {
      const image = sharp(m.file, { pages: 1, limitInputPixels: MAX_PIXELS, failOn: "error" }).rotate();
      const { width = 0, height = 0 } = await image.metadata();
      const small = width * height <= 64 * 64;
      const resized = image
        .flatten({ background: "#ffffff" })
        .resize(SIDE, SIDE, { fit: "inside", withoutEnlargement: true });
      const data = await (small ? resized.png() : resized.jpeg({ quality: 80 })).toBuffer();
      out.push({
        src: `data:image/${small ? "png" : "jpeg"};base64,${data.toString("base64")}`,
        name: m.file.split(/[\\/]/).slice(-2).join("/"),
        truth: m.truth,
        predicted: m.predicted,
        confidence: m.confidence,
      });
    } catch {
      // An image that decoded for scoring but not now (changed on disk) is simply not shown.
    }
  }
  return out;
}
