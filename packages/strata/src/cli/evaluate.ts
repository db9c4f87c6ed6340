import { backendName } from "../backend.js";
import { readCsv } from "../data/csv.js";
import { RowError } from "../data/row-error.js";
import { csvReadOptions, type TabularSchema } from "../data/schema.js";
import type { Task } from "../data/tabular.js";
import { isMissing } from "../data/values.js";
import { StrataError } from "../errors.js";
import type { Classifier, ImageInput } from "../estimators/estimator.js";
import { loadClassifier, readManifest } from "../estimators/load.js";
import { scanImageFolder } from "../images/folder.js";
import { formatReport } from "../metrics/classification.js";
import { checkTestLabels, loadCsvDataset } from "../workflow/dataset.js";
import { type Scored, scoreClassifier } from "../workflow/evaluate.js";
import { imageExamples } from "../workflow/images.js";
import { readSchema } from "../workflow/model-dir.js";
import { metricsJson } from "../workflow/results.js";
import { cliNote } from "./flag-names.js";
import { evaluateImageRegressor, isImageRegressor } from "./image-regression-io.js";
import { warnSkipped } from "./images.js";
import type { OutputOptions } from "./options.js";
import { makeOutput, type Output } from "./output.js";
import { evaluateRegressor } from "./table-regressor-io.js";

export interface EvaluateCommandOptions extends OutputOptions {
  header: boolean;
}

/** strata evaluate: score a saved model on labelled data of its kind (a CSV, or a class-folder dataset). */
export async function evaluateCommand(dir: string, data: string, o: EvaluateCommandOptions): Promise<void> {
  const out = makeOutput(o);
  if (await isImageRegressor(dir)) {
    await evaluateImageRegressor(dir, data, out, backendName());
    return;
  }
  if ((await readManifest(dir)).task === "regression") {
    await evaluateRegressor(dir, data, o, out, backendName());
    return;
  }
  const model = await loadClassifier(dir);
  let scored: Scored;
  let task: Task;
  try {
    if (model.input === "images") {
      scored = await scoreImageFolder(model, data, out);
      task = model.classes.length === 2 ? "binary" : "multiclass";
    } else {
      const schema = await readSchema(dir);
      const rows = loadCsvDataset(data, { header: o.header, task: "classification" }, schema);
      for (const n of rows.notes) out.note(`note: ${cliNote(n)}`);
      checkTestLabels(rows, model.classes);
      try {
        scored = await scoreClassifier(model, { x: rows.frame, y: rows.y });
      } catch (e) {
        if (e instanceof RowError) throw e.at(data, lineOfRow(data, o.header, schema, e.row));
        throw e;
      }
      task = rows.task as Task;
    }
  } finally {
    model.dispose();
  }
  const result = {
    ...metricsJson(scored.report, task),
    nTest: scored.kept.length,
    backend: backendName(),
    model: dir,
    data,
  };
  if (out.json) out.emitJson(result);
  else out.result(formatReport(scored.report));
}

/**
 * The line of the file where the labelled data row `row` starts (rows without a target are left
 * out of the dataset, so they are skipped here too). Read again only to name a bad row.
 */
function lineOfRow(file: string, header: boolean, schema: TabularSchema, row: number): number | undefined {
  const table = readCsv(file, { header, ...csvReadOptions(schema) });
  const t = table.columns.indexOf(schema.target);
  const labelled = table.lines.filter((_, i) => t === -1 || !isMissing(table.rows[i][t]));
  return labelled[row];
}

/** Scores an image model on a class-folder dataset (its test/ part when it has one). */
async function scoreImageFolder(model: Classifier<ImageInput>, path: string, out: Output): Promise<Scored> {
  const folder = scanImageFolder(path);
  const unknown = folder.classes.filter((c) => !model.classes.includes(c));
  if (unknown.length > 0)
    throw new StrataError(`${path}: classes the model does not know: ${unknown.join(", ")}`);
  const examples = imageExamples(folder.test ?? folder.train);
  let scored: Scored;
  try {
    scored = await scoreClassifier(model, examples);
  } catch (e) {
    if (e instanceof RowError && examples.x[e.row] !== undefined) throw e.at(examples.x[e.row]);
    throw e;
  }
  warnSkipped(out, scored.skipped, "unreadable test images left out");
  return scored;
}
