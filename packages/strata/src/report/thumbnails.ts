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
  /** −log of the true class's probability (the example's log loss). */
  readonly loss: number;
}

/**
 * The wrongly classified examples of scored image files, largest loss (least probability on the
 * true class) first.
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
        loss: -Math.log(Math.max(proba.data[r * proba.cols + classes.indexOf(truth[i])] ?? 0, 1e-12)),
      });
  });
  // fastai's top losses: the true class given the least probability first.
  return out.sort((a, b) => b.loss - a.loss || b.confidence - a.confidence);
}

/**
 * Small embedded copies of images: PNG for small images (kept exact), JPEG for photographs.
 * An image that cannot be read is left out.
 */
export async function thumbnails(list: readonly Miss[]): Promise<(Thumbnail & { readonly file: string })[]> {
  sharpModule ??= import("sharp").then((m) => m.default);
  const sharp = await sharpModule;
  const out: (Thumbnail & { readonly file: string })[] = [];
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
        file: m.file,
        src: `data:image/${small ? "png" : "jpeg"};base64,${data.toString("base64")}`,
        name: m.file.split(/[\\/]/).slice(-2).join("/"),
        truth: m.truth,
        predicted: m.predicted,
        confidence: m.confidence,
        loss: m.loss,
      });
    } catch {
      // An image that decoded for scoring but not now (changed on disk) is simply not shown.
    }
  }
  return out;
}
