import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Frame } from "../data/frame.js";
import type { TabularSchema } from "../data/schema.js";
import { StrataError } from "../errors.js";
import type { Classifier } from "../estimators/estimator.js";
import { loadTableClassifier, readManifest } from "../estimators/load.js";
import { writeDirAtomic, writeJson } from "../util/atomic.js";

export const SCHEMA_JSON = "schema.json";
export const METRICS_JSON = "metrics.json";
export const REPORT_HTML = "report.html";

/** Everything a model directory holds beyond the estimator's own files. */
export interface ModelDirContents {
  /** Any strata estimator (it writes its own files). */
  readonly model: Pick<Classifier<unknown>, "writeFiles">;
  /** For tabular models: how to read a CSV (target, feature columns and their kinds). */
  readonly schema?: TabularSchema;
  /** The evaluation result (the CLI's --json object). */
  readonly metrics?: object;
  /** A standalone HTML report. */
  readonly reportHtml?: string;
}

/**
 * Writes a model directory that `strata evaluate` and `strata predict` can use: the estimator's
 * files plus schema.json, metrics.json and report.html. Atomic: on any failure no directory is left.
 */
export async function saveModelDir(dir: string, contents: ModelDirContents): Promise<void> {
  await writeDirAtomic(dir, async (tmp) => {
    await contents.model.writeFiles(tmp);
    if (contents.schema) await writeJson(join(tmp, SCHEMA_JSON), contents.schema);
    if (contents.metrics) await writeJson(join(tmp, METRICS_JSON), contents.metrics);
    if (contents.reportHtml) await writeFile(join(tmp, REPORT_HTML), contents.reportHtml);
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

/** The schema.json of a table model's directory. */
export async function readSchema(dir: string): Promise<TabularSchema> {
  const schemaPath = join(dir, SCHEMA_JSON);
  if (!existsSync(schemaPath))
    throw new StrataError(`${dir}: incomplete model directory, missing ${SCHEMA_JSON}`);
  return JSON.parse(await readFile(schemaPath, "utf8")) as TabularSchema;
}
