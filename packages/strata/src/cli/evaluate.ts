import { backendName } from "../backend.js";
import { StrataError } from "../errors.js";
import { ImageClassifier } from "../estimators/image.js";
import { loadAnyClassifier, readManifest } from "../estimators/load.js";
import { scanImageFolder } from "../images/folder.js";
import { formatReport } from "../metrics/classification.js";
import { checkTestLabels, loadCsvDataset } from "../workflow/dataset.js";
import { evaluateClassifier } from "../workflow/evaluate.js";
import { loadModelDir } from "../workflow/model-dir.js";
import { metricsJson } from "../workflow/results.js";
import { scoreImages } from "./images.js";
import type { OutputOptions } from "./options.js";
import { makeOutput, type Output } from "./output.js";

export interface EvaluateCommandOptions extends OutputOptions {
  header: boolean;
}

/** strata evaluate: score a saved model on a labelled CSV with the same columns. */
export async function evaluateCommand(dir: string, file: string, o: EvaluateCommandOptions): Promise<void> {
  const out = makeOutput(o);
  if ((await readManifest(dir)).kind === "image") {
    await evaluateImages(dir, file, out);
    return;
  }
  const { model, schema } = await loadModelDir(dir);
  const data = loadCsvDataset(file, { header: o.header }, schema);
  for (const n of data.notes) out.note(`note: ${n}`);
  checkTestLabels(data, model.classes);
  const report = await evaluateClassifier(model, data);
  model.dispose();
  const result = {
    ...metricsJson(report, data.task),
    nTest: data.y.length,
    backend: backendName(),
    model: dir,
    data: file,
  };
  if (out.json) out.emitJson(result);
  else out.result(formatReport(report));
}

/** Scores an image model on a class-folder dataset (its test/ part when it has one). */
async function evaluateImages(dir: string, folderPath: string, out: Output): Promise<void> {
  const model = await loadAnyClassifier(dir);
  if (!(model instanceof ImageClassifier)) throw new StrataError(`${dir}: not an image model`);
  const folder = scanImageFolder(folderPath);
  const items = folder.test ?? folder.train;
  const classes = [...model.classes];
  const unknown = folder.classes.filter((c) => !classes.includes(c));
  if (unknown.length > 0)
    throw new StrataError(`${folderPath}: classes the model does not know: ${unknown.join(", ")}`);
  const { report, n } = await scoreImages(model, items, classes, out);
  model.dispose();
  const result = {
    ...metricsJson(report, classes.length === 2 ? "binary" : "multiclass"),
    nTest: n,
    backend: backendName(),
    model: dir,
    data: folderPath,
  };
  if (out.json) out.emitJson(result);
  else out.result(formatReport(report));
}
