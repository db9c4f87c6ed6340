import { writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { AnyClassifier } from "../estimators/estimator.js";
import { explainImages } from "../explain/grad-cam.js";
import { heatmapOverlayPng } from "../explain/heatmap-png.js";
import type { ImageExplanation } from "../explain/types.js";
import { renderExplainPage } from "../report/explain-page.js";
import { writeReportDir } from "../report/write.js";
import { writeJson } from "../util/atomic.js";
import { REPORT_HTML } from "../workflow/model-dir.js";
import { heatmapLines } from "./explain-text.js";
import type { Output } from "./output.js";
import { collectImages } from "./predict-images.js";

/** Longest side of an overlay shown in the report page (the PNG files keep the image's size). */
const PAGE_SIDE = 256;

/** The --json object of an image explanation: the issue's shape. */
export function imagesJson(images: readonly ImageExplanation[]): { images: readonly ImageExplanation[] } {
  return { images };
}

/**
 * Grad-CAM of each image for each member of the model in `dir`; with `outDir`, a report folder
 * (written atomically) holding each overlay PNG, explanation.json and report.html.
 */
export async function explainImageModel(
  model: AnyClassifier,
  dir: string,
  inputs: readonly string[],
  o: { layer?: string; out?: string },
  jsonName: string,
): Promise<ImageExplanation[]> {
  const files = collectImages(inputs);
  if (!o.out) return explainImages(model, files, { layer: o.layer });
  const outDir = o.out;
  let explained: ImageExplanation[] = [];
  await writeReportDir(outDir, async (tmp) => {
    const inTmp = await explainImages(model, files, { layer: o.layer, outDir: tmp });
    // The overlays were written in the temporary folder, which becomes `outDir`.
    explained = inTmp.map((img) => ({
      ...img,
      members: img.members.map((m) => (m.overlay ? { ...m, overlay: join(outDir, basename(m.overlay)) } : m)),
    }));
    const images = await Promise.all(
      inTmp.map(async (img) => ({
        file: img.file,
        members: await Promise.all(
          img.members.map(async (m) => ({
            name: m.name,
            label: m.label,
            probability: m.probability,
            layer: m.layer,
            overlaySrc: `data:image/png;base64,${(await heatmapOverlayPng(img.file, m.heatmap, { maxSide: PAGE_SIDE })).toString("base64")}`,
          })),
        ),
      })),
    );
    await writeJson(join(tmp, jsonName), imagesJson(explained));
    await writeFile(
      join(tmp, REPORT_HTML),
      await renderExplainPage({
        title: `Where ${basename(dir)} looks`,
        about: `Grad-CAM of ${files.length} image${files.length === 1 ? "" : "s"}, each member beside its vote`,
        images,
      }),
    );
  });
  return explained;
}

/** For people: each image, each member's vote and its heatmap in shades (darkest: most). */
export function printImageExplanations(out: Output, images: readonly ImageExplanation[]): void {
  for (const img of images) {
    out.result(img.file);
    for (const m of img.members) {
      out.result(
        `  ${m.name}: ${m.label} ${(100 * m.probability).toFixed(1)}% (Grad-CAM at ${m.layer}, ${m.heatmap.length}×${m.heatmap[0]?.length ?? 0})${m.overlay ? `: ${m.overlay}` : ""}`,
      );
      for (const line of heatmapLines(m.heatmap)) out.result(line);
    }
  }
}
