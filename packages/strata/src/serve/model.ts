import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { TabularSchema } from "../data/schema.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { loadClassifier } from "../estimators/load.js";
import { METRICS_JSON, readSchema } from "../workflow/model-dir.js";
import { canExplain } from "./explain.js";
import { type InputField, inputFields } from "./inputs.js";
import { hasVotes } from "./predictor.js";

/** What the page (and programs, at GET /api/model) learn about the served model. */
export interface ModelInfo {
  /** The model directory's name. */
  readonly name: string;
  /** The estimator kind (dense, image, …). */
  readonly kind: string;
  readonly input: "table" | "images";
  readonly classes: readonly string[];
  /** Ensembles: the answer carries each member's vote. */
  readonly voting: boolean;
  /** Table models: the column predicted, and the form's fields. */
  readonly target?: string;
  readonly fields?: readonly InputField[];
  /** Image models: whether POST /api/predict takes explain=1 (Grad-CAM: cnn and transfer models). */
  readonly explainable?: boolean;
  /** Image models: [height, width] every image is resized to before the model sees it. */
  readonly imageSize?: readonly [number, number];
  /** From metrics.json, when the directory has one. */
  readonly testAccuracy?: number;
  readonly model?: string;
}

export interface ServedModel {
  readonly model: AnyClassifier;
  readonly info: ModelInfo;
  /** Table models only. */
  readonly schema?: TabularSchema;
}

/** Loads a model directory for serving: the classifier, and for tables its schema and form. */
export async function loadServedModel(dir: string): Promise<ServedModel> {
  const model = await loadClassifier(dir);
  try {
    const metrics = await readMetrics(dir);
    const base = {
      name: basename(resolve(dir)),
      kind: model.kind,
      input: model.input,
      classes: [...model.classes],
      voting: hasVotes(model),
      testAccuracy: typeof metrics.accuracy === "number" ? metrics.accuracy : undefined,
      model: typeof metrics.model === "string" ? metrics.model : undefined,
    };
    if (model.input === "images")
      return {
        model,
        info: { ...base, imageSize: imageSize(model.getParams().size), explainable: canExplain(model) },
      };
    const schema = await readSchema(dir);
    return {
      model,
      schema,
      info: { ...base, target: schema.target, fields: await inputFields(dir, schema) },
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

async function readMetrics(dir: string): Promise<Record<string, unknown>> {
  const path = join(dir, METRICS_JSON);
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function imageSize(size: unknown): [number, number] | undefined {
  return Array.isArray(size) && size.length === 2 && size.every((v) => typeof v === "number")
    ? [size[0], size[1]]
    : undefined;
}
