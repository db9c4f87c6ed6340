import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { Frame } from "../data/frame.js";
import type { TabularSchema } from "../data/schema.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { loadClassifier, readManifest } from "../estimators/load.js";
import { loadRegressor } from "../estimators/load-regressor.js";
import type { Regressor } from "../estimators/regressor.js";
import { METRICS_JSON, readSchema } from "../workflow/model-dir.js";
import { canExplain, canExplainRows } from "./explain.js";
import { type InputField, inputFields } from "./inputs.js";
import { hasVotes } from "./predictor.js";

/** What the page (and programs, at GET /api/model) learn about the served model, either task. */
interface ModelInfoBase {
  /** The model directory's name. */
  readonly name: string;
  /** The estimator kind (dense, image, ridge, …). */
  readonly kind: string;
  readonly input: "table" | "images";
  /** Ensembles: the answer carries each member's vote (a regressor's: each member's number). */
  readonly voting: boolean;
  /** Table models: the column predicted, and the form's fields. */
  readonly target?: string;
  readonly fields?: readonly InputField[];
  /** From metrics.json, when the directory has one. */
  readonly model?: string;
}

/** A classifier's: its classes, and what its answers and page can carry. */
export interface ClassifierInfo extends ModelInfoBase {
  /** Absent in info made before regressors were served: a classifier. */
  readonly task?: "classification";
  readonly classes: readonly string[];
  /** Image models: whether POST /api/predict takes explain=1 (Grad-CAM: cnn and transfer models). */
  readonly explainable?: boolean;
  /** Image models: [height, width] every image is resized to before the model sees it. */
  readonly imageSize?: readonly [number, number];
  /** From metrics.json, when the directory has one. */
  readonly testAccuracy?: number;
}

/** A table regressor's: it predicts a number of `target`; no classes. */
export interface RegressorInfo extends ModelInfoBase {
  readonly task: "regression";
  readonly input: "table";
  readonly target: string;
  readonly fields: readonly InputField[];
  /** The test rows' RMSE from metrics.json, when it has one: the ± beside a prediction. */
  readonly testRmse?: number;
  /** Whether POST /api/predict takes explain=1: each row's contributions (not ensembles). */
  readonly explainable: boolean;
}

export type ModelInfo = ClassifierInfo | RegressorInfo;

/** A served classifier (images or a table). */
export interface ServedClassifier {
  /** Absent where made before regressors were served. */
  readonly task?: "classification";
  readonly model: AnyClassifier;
  readonly info: ClassifierInfo;
  /** Table models only. */
  readonly schema?: TabularSchema;
}

/** A served table regressor. */
export interface ServedRegressor {
  readonly task: "regression";
  readonly model: Regressor<Frame>;
  readonly info: RegressorInfo;
  readonly schema: TabularSchema;
}

export type ServedModel = ServedClassifier | ServedRegressor;

/**
 * Loads a model directory for serving: the classifier or regressor (strata.json's task says
 * which), and for tables its schema and form.
 */
export async function loadServedModel(dir: string): Promise<ServedModel> {
  const manifest = await readManifest(dir);
  if (manifest.task === "regression") return loadServedRegressor(dir);
  const model = await loadClassifier(dir);
  try {
    const metrics = await readMetrics(dir);
    const base = {
      task: "classification" as const,
      name: basename(resolve(dir)),
      kind: model.kind,
      input: model.input,
      classes: [...model.classes],
      voting: hasVotes(model),
      testAccuracy: finite(metrics.accuracy),
      model: typeof metrics.model === "string" ? metrics.model : undefined,
    };
    if (model.input === "images")
      return {
        task: "classification",
        model,
        info: { ...base, imageSize: imageSize(model.getParams().size), explainable: canExplain(model) },
      };
    const schema = await readSchema(dir);
    return {
      task: "classification",
      model,
      schema,
      info: { ...base, target: schema.target, fields: await inputFields(dir, schema) },
    };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

async function loadServedRegressor(dir: string): Promise<ServedRegressor> {
  // The schema first: a directory without one fails before the model is loaded.
  const schema = await readSchema(dir);
  const model: Regressor<Frame> = await loadRegressor(dir);
  try {
    const metrics = await readMetrics(dir);
    return {
      task: "regression",
      model,
      schema,
      info: {
        task: "regression",
        name: basename(resolve(dir)),
        kind: model.kind,
        input: "table",
        voting: hasVotes(model),
        explainable: canExplainRows(model),
        target: schema.target,
        fields: await inputFields(dir, schema),
        testRmse: finite(metrics.rmse),
        model: typeof metrics.model === "string" ? metrics.model : undefined,
      },
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

function finite(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function imageSize(size: unknown): [number, number] | undefined {
  return Array.isArray(size) && size.length === 2 && size.every((v) => typeof v === "number")
    ? [size[0], size[1]]
    : undefined;
}
