import { StrataError } from "../errors.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { explainImages } from "../explain/grad-cam.js";
import { heatmapOverlayPng } from "../explain/heatmap-png.js";
import { imageMembers } from "../explain/image-members.js";
import type { HeatmapMaker } from "../report/scored-run.js";

/** Side of a heatmap beside a report thumbnail, in pixels. */
const SIDE = 96;

/**
 * For the report of an image model's fit: each member's Grad-CAM overlay of the misclassified
 * images shown; undefined for a model Grad-CAM does not explain (a dense network on pixels).
 */
export function reportHeatmaps(model: AnyClassifier): HeatmapMaker | undefined {
  if (model.input !== "images") return undefined;
  try {
    imageMembers(model);
  } catch (e) {
    if (e instanceof StrataError) return undefined;
    throw e;
  }
  return async (files) => {
    const explained = await explainImages(model, files);
    return Promise.all(
      explained.map((img) =>
        Promise.all(
          img.members.map(async (m) => ({
            name: m.name,
            label: m.label,
            src: `data:image/png;base64,${(await heatmapOverlayPng(img.file, m.heatmap, { maxSide: SIDE })).toString("base64")}`,
          })),
        ),
      ),
    );
  };
}
