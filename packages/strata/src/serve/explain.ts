import type { FastifyRequest } from "fastify";
import type { TableData } from "../data/plain.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import type { Regressor } from "../estimators/regressor.js";
import { checkContributions, rowContributions } from "../explain/contributions.js";
import { explainImages } from "../explain/grad-cam.js";
import { heatmapOverlayPng } from "../explain/heatmap-png.js";
import { imageMembers } from "../explain/image-members.js";
import type { MemberHeatmap } from "../explain/types.js";
import { ClientError } from "./errors.js";

/** One member's Grad-CAM of an uploaded image, as /api/predict?explain=1 answers it. */
export interface ServedHeatmap extends Omit<MemberHeatmap, "overlay"> {
  /** The overlay on the image (at most OVERLAY_SIDE pixels a side) as a data: URL of a PNG. */
  readonly overlayUrl: string;
}

/** The longest side of an overlay in an answer: enough for the page, small in JSON. */
export const OVERLAY_SIDE = 256;

/** Whether the model's every member is a network Grad-CAM explains (cnn, transfer). */
export function canExplain(model: AnyClassifier): boolean {
  try {
    imageMembers(model);
    return true;
  } catch {
    return false;
  }
}

/**
 * `explain=1` (or true) in the query or as a form field asks for each image's Grad-CAM; 0,
 * false or absent does not; anything else is a 400.
 */
export function explainAsked(
  request: FastifyRequest,
  fields: Readonly<Record<string, string>> = {},
): boolean {
  const query = (request.query as Record<string, unknown> | undefined)?.explain;
  const raw = query ?? fields.explain;
  if (raw === undefined) return false;
  const text = String(raw).trim().toLowerCase();
  if (text === "1" || text === "true") return true;
  if (text === "0" || text === "false" || text === "") return false;
  throw new ClientError(400, `explain: expected 1 or 0, got "${String(raw)}"`);
}

/** Each uploaded image's Grad-CAM, one per member, with its overlay as a data URL. */
export async function explainUploads(
  model: AnyClassifier,
  files: readonly string[],
): Promise<ServedHeatmap[][]> {
  const explained = await explainImages(model, files);
  const answers: ServedHeatmap[][] = [];
  for (const [i, image] of explained.entries()) {
    const members: ServedHeatmap[] = [];
    for (const { overlay: _, ...member } of image.members) {
      const png = await heatmapOverlayPng(files[i], member.heatmap, { maxSide: OVERLAY_SIDE });
      members.push({ ...member, overlayUrl: `data:image/png;base64,${png.toString("base64")}` });
    }
    answers.push(members);
  }
  return answers;
}

/** One table row's contributions, as /api/predict?explain=1 answers it for a regressor. */
export interface ServedRowExplanation {
  /** How they were computed, in words ("TreeSHAP (XGBoost's own, in the target's units)"). */
  readonly method: string;
  /** The prediction at the baseline: base + the sum of the values is the row's prediction. */
  readonly base: number;
  /** Every column's contribution in the target's units, largest by size first. */
  readonly contributions: readonly { readonly feature: string; readonly value: number }[];
}

/**
 * Whether per-row contributions explain this regressor (xgboost-regressor, dense-regressor,
 * ridge; not the ensembles), so that the server can refuse explain=1 with a 400 before predicting.
 */
export function canExplainRows(model: Regressor<TableData>): boolean {
  try {
    checkContributions(model);
    return true;
  } catch {
    return false;
  }
}

/**
 * Each row's contributions to a table regressor's prediction (explain/contributions.ts:
 * TreeSHAP, integrated gradients, or ridge's exact split), in the order of the rows, each
 * row's columns largest first. Call it inside the predictor's queue, as explainUploads is.
 */
export async function explainRegressorRows(
  model: Regressor<TableData>,
  rows: TableData,
): Promise<ServedRowExplanation[]> {
  const c = await rowContributions(model, rows);
  return c.values.map((values, r) => ({
    method: c.method,
    base: c.bias[r][0],
    contributions: c.features
      .map((feature, j) => ({ feature, value: values[0][j] }))
      .sort((a, b) => Math.abs(b.value) - Math.abs(a.value)),
  }));
}
