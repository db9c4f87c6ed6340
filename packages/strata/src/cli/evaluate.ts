import { backendName } from "../backend.js";
import { formatReport } from "../metrics/classification.js";
import { checkTestLabels, loadCsvDataset } from "../workflow/dataset.js";
import { evaluateClassifier } from "../workflow/evaluate.js";
import { loadModelDir } from "../workflow/model-dir.js";
import { metricsJson } from "../workflow/results.js";
import type { OutputOptions } from "./options.js";
import { makeOutput } from "./output.js";

export interface EvaluateCommandOptions extends OutputOptions {
  header: boolean;
}

/** strata evaluate: score a saved model on a labelled CSV with the same columns. */
export async function evaluateCommand(dir: string, file: string, o: EvaluateCommandOptions): Promise<void> {
  const out = makeOutput(o);
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
