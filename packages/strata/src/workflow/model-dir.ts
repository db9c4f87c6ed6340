import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Frame } from "../data/frame.js";
import { validatePreprocessState } from "../data/preprocess.js";
import type { TabularSchema } from "../data/schema.js";
import { StrataError } from "../errors.js";
import type { Classifier } from "../estimators/estimator.js";
import { loadTableClassifier, readManifest } from "../estimators/load.js";
import { loadRegressor } from "../estimators/load-regressor.js";
import type { Regressor } from "../estimators/regressor.js";
import { PREPROCESS_JSON } from "../estimators/table-classifier.js";
import { isWriterRank } from "../parallel/distributed.js";
import { writeDirAtomic, writeJson } from "../util/atomic.js";
import { describeJson, readJsonFile } from "../util/files.js";
import { TRAINING_ROWS_JSON, trainingRowsJson } from "./training-rows.js";

export const SCHEMA_JSON = "schema.json";
export const METRICS_JSON = "metrics.json";
export const REPORT_HTML = "report.html";

/** Everything a model directory holds beyond the estimator's own files. */
export interface ModelDirContents {
  /** Any strata estimator (it writes its own files). */
  readonly model: Pick<Classifier<unknown>, "writeFiles"> | Pick<Regressor<unknown>, "writeFiles">;
  /** For tabular models: how to read a CSV (target, feature columns and their kinds). */
  readonly schema?: TabularSchema;
  /** The evaluation result (the CLI's --json object). */
  readonly metrics?: object;
  /** A standalone HTML report. */
  readonly reportHtml?: string;
  /**
   * A table model's training rows: their fingerprints are kept (training-rows.json) so that
   * `strata explain` can say when the rows it is given were training rows.
   */
  readonly trainingRows?: { readonly frame: Frame; readonly columns: readonly string[] };
}

/**
 * Writes a model directory that `strata evaluate` and `strata predict` can use: the estimator's
 * files plus schema.json, metrics.json and report.html. Atomic: on any failure no directory is left.
 * In a data-parallel fit, ranks other than 0 write nothing.
 */
export async function saveModelDir(dir: string, contents: ModelDirContents): Promise<void> {
  // In a data-parallel fit every rank holds the same model; only rank 0 writes it.
  if (!isWriterRank()) return;
  await writeDirAtomic(dir, async (tmp) => {
    await contents.model.writeFiles(tmp);
    if (contents.schema) await writeJson(join(tmp, SCHEMA_JSON), contents.schema);
    if (contents.metrics) await writeJson(join(tmp, METRICS_JSON), contents.metrics);
    if (contents.reportHtml) await writeFile(join(tmp, REPORT_HTML), contents.reportHtml);
    if (contents.trainingRows)
      await writeJson(
        join(tmp, TRAINING_ROWS_JSON),
        trainingRowsJson(contents.trainingRows.frame, contents.trainingRows.columns),
      );
  });
}

/**
 * Reads a table model's directory written by saveModelDir: the classifier and the schema that
 * says how to read a CSV for it.
 */
export async function loadModelDir(
  dir: string,
): Promise<{ model: Classifier<Frame>; schema: TabularSchema }> {
  await readManifest(dir);
  const schema = await readSchema(dir);
  return { model: await loadTableClassifier(dir), schema };
}

/** A table model directory's model: a classifier or a regressor, as its strata.json's task says. */
export type TableModel =
  | { readonly task: "classification"; readonly model: Classifier<Frame> }
  | { readonly task: "regression"; readonly model: Regressor<Frame> };

/**
 * Reads a table model's directory written by saveModelDir, classifier or regressor (strata.json's
 * `task` says which), with the schema that says how to read a CSV for it.
 */
export async function loadTableModelDir(dir: string): Promise<TableModel & { schema: TabularSchema }> {
  const manifest = await readManifest(dir);
  const schema = await readSchema(dir);
  if (manifest.task === "regression") return { task: "regression", model: await loadRegressor(dir), schema };
  return { task: "classification", model: await loadTableClassifier(dir), schema };
}

/**
 * The schema.json of a table model's directory, checked: a target, a list of named features of a
 * known kind, and (when the directory has its own preprocess.json) the same columns as it.
 */
export async function readSchema(dir: string): Promise<TabularSchema> {
  const schemaPath = join(dir, SCHEMA_JSON);
  if (!existsSync(schemaPath))
    throw new StrataError(`${dir}: incomplete model directory, missing ${SCHEMA_JSON}`);
  const schema = (await readJsonFile(schemaPath, { object: true })) as TabularSchema;
  const bad = (what: string): never => {
    throw new StrataError(`${schemaPath}: damaged: ${what}`);
  };
  if (typeof schema.target !== "string" || schema.target === "")
    bad(`"target" is ${describeJson(schema.target)}, not a column name`);
  if (!Array.isArray(schema.features) || schema.features.length === 0)
    bad(`"features" is ${describeJson(schema.features)}, not a list of columns`);
  schema.features.forEach((f, i) => {
    if (typeof f !== "object" || f === null || typeof f.name !== "string" || f.name === "")
      bad(`features[${i}] has no column name`);
    if (f.kind !== "numeric" && f.kind !== "categorical")
      bad(`features[${i}] ("${f.name}"): kind ${JSON.stringify(f.kind)} is not "numeric" or "categorical"`);
    if (f.parse !== undefined && f.parse !== "number" && f.parse !== "date")
      bad(`features[${i}] ("${f.name}"): parse ${JSON.stringify(f.parse)} is not "number" or "date"`);
  });
  if (schema.group !== undefined && typeof schema.group !== "string") bad(`"group" is not a column name`);
  if (schema.dropped !== undefined && !Array.isArray(schema.dropped)) bad(`"dropped" is not a list`);
  const delimiter: unknown = schema.delimiter;
  if (
    delimiter !== undefined &&
    (typeof delimiter !== "string" || [...delimiter].length !== 1 || ['"', "\n", "\r"].includes(delimiter))
  )
    bad(`"delimiter" is ${describeJson(delimiter)}, not one character`);
  const encoding: unknown = schema.encoding;
  if (encoding !== undefined && encoding !== "utf8" && encoding !== "latin1")
    bad(`"encoding" is ${describeJson(encoding)}, not "utf8" or "latin1"`);
  const preprocessPath = join(dir, PREPROCESS_JSON);
  if (existsSync(preprocessPath)) {
    const state = validatePreprocessState(await readJsonFile(preprocessPath), preprocessPath);
    const kinds = new Map([
      ...state.numeric.map((c) => [c.name, "numeric"] as const),
      ...state.categorical.map((c) => [c.name, "categorical"] as const),
    ]);
    const names = schema.features.map((f) => f.name);
    const differ = names.length !== kinds.size || schema.features.some((f) => kinds.get(f.name) !== f.kind);
    if (differ)
      throw new StrataError(
        `${dir}: damaged: ${SCHEMA_JSON}'s features (${names.join(", ")}) are not the columns of ${PREPROCESS_JSON} (${[...kinds.keys()].join(", ")})`,
      );
  }
  return { ...schema, dropped: schema.dropped ?? [] };
}

/** A regressor's training rows' (or images') mean target, as its fit saved it in metrics.json (undefined: not there). */
export function savedTrainMean(dir: string): number | undefined {
  const path = join(dir, METRICS_JSON);
  if (!existsSync(path)) return undefined;
  try {
    const m = JSON.parse(readFileSync(path, "utf8")) as { trainMean?: unknown };
    return typeof m.trainMean === "number" && Number.isFinite(m.trainMean) ? m.trainMean : undefined;
  } catch {
    return undefined;
  }
}
