import { statSync } from "node:fs";
import { relative } from "node:path";
import { backendName } from "../backend.js";
import { StrataError } from "../errors.js";
import { DenseClassifier } from "../estimators/dense.js";
import { formatReport } from "../metrics/classification.js";
import { renderReport } from "../report/html.js";
import { checkTestLabels, type LabelledRows, loadCsvDataset, trainTestSplit } from "../workflow/dataset.js";
import { evaluateClassifier } from "../workflow/evaluate.js";
import { saveModelDir } from "../workflow/model-dir.js";
import { metricsJson } from "../workflow/results.js";
import { fitImages, type ImageOptions } from "./images.js";
import {
  type DataOptions,
  denseParams,
  loadOptions,
  type ModelOptions,
  type OutputOptions,
} from "./options.js";
import { makeOutput } from "./output.js";
import { ConsoleProgress } from "./progress.js";

export interface FitCommandOptions extends DataOptions, ModelOptions, OutputOptions, ImageOptions {
  testSize: number;
  test?: string;
  out?: string;
  checkpoint?: string;
  resume?: boolean;
}

/** strata fit: read, split (grouped or stratified), fit, evaluate on the test split, save. */
export async function fitCommand(file: string, o: FitCommandOptions): Promise<void> {
  const out = makeOutput(o);
  if (isFolder(file)) {
    await fitImages(file, o.model === "dense" ? "dense" : "cnn", o, out);
    return;
  }
  if (o.model === "cnn") throw new StrataError(`--model cnn needs a folder of images; ${file} is a file`);
  if (o.checkpoint || o.resume)
    throw new StrataError(`--checkpoint and --resume are for image folders; ${file} is a CSV file`);
  const data = loadCsvDataset(file, loadOptions(o));
  for (const n of data.notes) out.note(`note: ${n}`);

  let train: LabelledRows;
  let test: LabelledRows;
  let splitInfo: Record<string, unknown>;
  if (o.test) {
    const testData = loadCsvDataset(o.test, { header: o.header }, data.schema);
    checkTestLabels(testData, data.labels);
    train = data;
    test = testData;
    splitInfo = { kind: "given", test: o.test };
  } else {
    ({ train, test } = trainTestSplit(data, { testSize: o.testSize, seed: o.seed }));
    splitInfo = data.groups
      ? { kind: "grouped", group: o.group, testSize: o.testSize, seed: o.seed }
      : { kind: "stratified", testSize: o.testSize, seed: o.seed };
  }
  const features = data.schema.features;
  out.note(
    `${file}: ${data.y.length} rows, ${features.length} features (${features.filter((f) => f.kind === "numeric").length} numeric, ` +
      `${features.filter((f) => f.kind === "categorical").length} categorical), target ${data.schema.target}: ${data.task}, ${data.labels.length} classes`,
  );
  const splitText = o.test
    ? `test set ${o.test}`
    : data.groups
      ? `grouped by ${o.group}: ${Math.round((1 - o.testSize) * 100)}% of the groups train, the rest test`
      : `stratified ${Math.round((1 - o.testSize) * 100)}/${Math.round(o.testSize * 100)}`;
  out.note(`split: ${splitText}; ${train.y.length} train rows, ${test.y.length} test rows (seed ${o.seed})`);

  const model = new DenseClassifier(denseParams(o));
  await model.fit(train.frame, train.y, {
    classes: data.labels,
    groups: train.groups,
    listener: out.quiet ? undefined : new ConsoleProgress(),
  });
  const report = await evaluateClassifier(model, test);
  const summary = model.fitSummary!;
  const result = {
    ...metricsJson(report, data.task),
    nTrain: train.y.length,
    nTest: test.y.length,
    fitSeconds: summary.seconds,
    epochs: summary.epochsRun,
    bestEpoch: summary.bestEpoch,
    backend: backendName(),
    model: model.kind,
    params: model.getParams(),
    data: file,
    target: data.schema.target,
    split: splitInfo,
    features: features.map((f) => f.name),
    dropped: data.schema.dropped,
    notes: data.notes,
    ...(o.out ? { out: o.out } : {}),
  };
  if (o.out) {
    await saveModelDir(o.out, {
      model,
      schema: data.schema,
      metrics: result,
      reportHtml: renderReport({
        title: `strata: ${data.schema.target} from ${file}`,
        result,
        history: summary.history,
      }),
    });
  }
  model.dispose();

  if (out.json) {
    out.emitJson(result);
    return;
  }
  out.result(formatReport(report));
  out.result(
    `fit ${summary.seconds.toFixed(1)} s on the ${result.backend} backend: ${summary.epochsRun} epochs, weights of epoch ${summary.bestEpoch} kept`,
  );
  if (o.out) {
    const dir = relative(process.cwd(), o.out) || ".";
    out.result(`saved ${dir} (predict with: strata predict ${dir} <data.csv>)`);
  }
}

/** True for an existing directory (an image dataset); files and missing paths are read as CSV. */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
