import { stringify } from "csv-stringify/sync";
import { type RawTable, readCsv } from "../data/csv.js";
import type { Frame } from "../data/frame.js";
import { RowError } from "../data/row-error.js";
import { csvReadOptions } from "../data/schema.js";
import { toFrame } from "../data/tabular.js";
import { StrataError } from "../errors.js";
import type { MemberVotes } from "../estimators/ensemble.js";
import type { AnyClassifier, Classifier } from "../estimators/estimator.js";
import { decodeArgmax } from "../estimators/labels.js";
import { loadClassifier, readManifest } from "../estimators/load.js";
import { checkContributions } from "../explain/contributions.js";
import type { OnnxPrediction } from "../export/onnx-runtime.js";
import { resolveZoo } from "../models/zoo/load.js";
import { writeFileAtomic } from "../util/atomic.js";
import { type Matrix, row } from "../util/matrix.js";
import { readSchema } from "../workflow/model-dir.js";
import { classifyWithZoo } from "../workflow/zoo-predict.js";
import { explainImageModel, printImageExplanations } from "./explain-images.js";
import { explainRows, WHY_COLUMN } from "./explain-rows.js";
import { isImageRegressor, predictImageRegressor } from "./image-regression-io.js";
import { makeOutput, type Output } from "./output.js";
import { collectImages, predictImages } from "./predict-images.js";
import { asVoter, exampleVotes, notAnEnsemble, printVotes } from "./predict-votes.js";
import { predictRegressor } from "./table-regressor-io.js";

export interface PredictCommandOptions {
  out?: string;
  top?: number;
  keep?: string[];
  header: boolean;
  quiet?: boolean;
  /** Each ensemble member's probabilities and top class beside the combined answer. */
  votes?: boolean;
  json?: boolean;
  /** Tables: a `why` column with the columns that moved each row most; images: each member's heatmap. */
  explain?: boolean;
  /** What runs the model: "strata" (its own backends, the default) or "onnx" (its exported graph in ONNX Runtime). */
  runtime?: string;
}

/** The runtimes `strata predict --runtime` takes. */
const PREDICT_RUNTIMES = ["strata", "onnx"] as const;

/** What predict needs of a saved model, whichever runtime runs it. */
interface Predictor {
  readonly input: "table" | "images";
  readonly classes: readonly string[];
  /** Probabilities of a table's rows (its frame, read from `table`) or of image files. */
  predictProba(x: Frame | readonly string[], table?: RawTable): Promise<Matrix>;
  /** Each member's probabilities beside the combined answer (a StrataError for a model that is not an ensemble). */
  predictVotes(x: Frame | readonly string[], table?: RawTable): Promise<MemberVotes>;
  /** The name the combined answer goes by in --votes (the ensemble's kind). */
  readonly kind: string;
  /** Throws unless the model is an ensemble (checked before any input is read). */
  checkVotes(): void;
  /** The classifier itself, in strata's own runtime (what --explain explains). */
  readonly classifier?: AnyClassifier;
  dispose(): Promise<void>;
}

/** The model in strata's own runtime: the classifier loaded from `dir`. */
async function strataPredictor(dir: string): Promise<Predictor> {
  const model = await loadClassifier(dir);
  const proba = model.predictProba.bind(model) as (x: Frame | readonly string[]) => Promise<Matrix>;
  return {
    input: model.input === "images" ? "images" : "table",
    classes: model.classes,
    kind: model.kind,
    predictProba: (x) => proba(x),
    predictVotes: (x) => asVoter(model, dir).predictVotes(x),
    checkVotes: () => void asVoter(model, dir),
    classifier: model,
    dispose: async () => model.dispose(),
  };
}

/** The model's graph, exported in memory, in ONNX Runtime (export/onnx-runtime.ts; loaded only here). */
async function onnxPredictor(dir: string): Promise<Predictor> {
  const { OnnxPredictor } = await import("../export/onnx-runtime.js");
  const predictor = await OnnxPredictor.open(dir);
  const { exported } = predictor;
  const run = (x: Frame | readonly string[], table?: RawTable): Promise<OnnxPrediction> =>
    Array.isArray(x) ? predictor.predictFiles(x) : predictor.predictFrame(table as RawTable, x as Frame);
  return {
    input: exported.image ? "images" : "table",
    classes: exported.classes,
    kind: exported.kind,
    predictProba: async (x, table) => (await run(x, table)).proba,
    predictVotes: async (x, table) => {
      const p = await run(x, table);
      return {
        members: p.members.map((m) => ({ name: m.name, classes: exported.classes, proba: m.proba })),
        combined: p.proba,
      };
    },
    checkVotes: () => {
      if (exported.votes.length === 0) throw notAnEnsemble(dir, exported.kind);
    },
    dispose: () => predictor.release(),
  };
}

/**
 * strata predict: one output row per input row, with the predicted label and one probability
 * column per class (`proba_<class>`), plus any --keep columns copied from the input (e.g. an id).
 */
export async function predictCommand(dir: string, inputs: string[], o: PredictCommandOptions): Promise<void> {
  const out = makeOutput(o);
  const runtime = o.runtime ?? "strata";
  if (!(PREDICT_RUNTIMES as readonly string[]).includes(runtime))
    throw new StrataError(`--runtime ${runtime}: strata predicts with ${PREDICT_RUNTIMES.join(" or ")}`);
  if (dir.startsWith("zoo:")) {
    if (runtime !== "strata")
      throw new StrataError(
        `--runtime ${runtime} runs a saved model's exported graph; ${dir} predicts with strata's own runtime (leave out --runtime)`,
      );
    await predictWithZoo(dir, inputs, o);
    return;
  }
  if (o.json && !o.votes) throw new StrataError("--json prints the members' votes: give it with --votes");
  if (o.explain && runtime !== "strata")
    throw new StrataError("--explain runs in strata's own runtime: leave out --runtime onnx");
  if (o.explain && o.votes)
    throw new StrataError("--explain and --votes: give one (strata explain shows both for ensembles)");
  if (await isImageRegressor(dir)) {
    await predictImageRegressor(dir, inputs, { ...o, runtime }, out);
    return;
  }
  if ((await modelTask(dir)) === "regression") {
    await predictRegressor(dir, inputs, o, out);
    return;
  }
  const model = runtime === "onnx" ? await onnxPredictor(dir) : await strataPredictor(dir);
  if (o.explain && model.input === "table" && model.classifier) checkContributions(model.classifier);
  try {
    if (o.votes) {
      if (o.out) throw new StrataError("--votes prints to the terminal; leave out --out");
      model.checkVotes();
      if (model.input === "images") {
        const files = collectImages(inputs);
        const votes = await model.predictVotes(files);
        printVotes(out, exampleVotes(votes, model.classes, files, model.kind), model.classes);
      } else {
        const { file, table, frame } = await readRows(dir, inputs, o);
        const votes = await namingRows(file, table, async () => {
          const v = await model.predictVotes(frame, table);
          for (const m of v.members) decodeArgmax(m.proba, model.classes);
          decodeArgmax(v.combined, model.classes);
          return v;
        });
        // Each row is named by its --keep columns (e.g. a song's name), else by its number.
        const keep = keepColumns(file, table, o.keep);
        const rows = table.rows.map((r, i) =>
          keep.length ? keep.map((j) => r[j]).join(", ") : `row ${i + 1}`,
        );
        printVotes(out, exampleVotes(votes, model.classes, rows, model.kind), model.classes);
      }
      return;
    }
    if (model.input === "images" && o.explain && model.classifier)
      await explainImagePredictions(model.classifier, dir, inputs, o);
    else if (model.input === "images") await predictImages(model, inputs, { ...o, top: o.top ?? 3 }, out);
    else await predictRows(dir, model, inputs, o, out);
  } finally {
    await model.dispose();
  }
}

async function predictRows(
  dir: string,
  model: Predictor,
  inputs: string[],
  o: PredictCommandOptions,
  out: Output,
): Promise<void> {
  const { file, schema, table, frame } = await readRows(dir, inputs, o);
  const keep = keepColumns(file, table, o.keep);
  const classes = model.classes;
  const { proba, labels } = await namingRows(file, table, async () => {
    const p = await model.predictProba(frame, table);
    return { proba: p, labels: decodeArgmax(p, classes) };
  });

  const why =
    o.explain && model.classifier ? await rowsWhy(model.classifier, frame, file, table, proba) : undefined;
  const header = [
    ...(o.keep ?? []),
    `predicted_${schema.target}`,
    ...classes.map((c) => `proba_${c}`),
    ...(why ? [WHY_COLUMN] : []),
  ];
  const records = labels.map((label, i) => [
    ...keep.map((j) => table.rows[i][j]),
    label,
    ...Array.from(row(proba, i), (p) => p.toFixed(6)),
    ...(why ? [why[i]] : []),
  ]);
  const csv = stringify([header, ...records]);
  if (o.out) {
    await writeFileAtomic(o.out, csv);
    out.note(`wrote ${records.length} predictions to ${o.out}`);
  } else {
    process.stdout.write(csv);
  }
}

/** predict --explain on images: each member's vote and its Grad-CAM, in shades (`strata explain --out` writes overlays). */
async function explainImagePredictions(
  model: AnyClassifier,
  dir: string,
  inputs: string[],
  o: PredictCommandOptions,
): Promise<void> {
  if (o.out)
    throw new StrataError("--explain prints each member's heatmap; for files, use strata explain --out DIR");
  printImageExplanations(makeOutput({}), await explainImageModel(model, dir, inputs, {}, ""));
}

/**
 * Each row's three columns that moved it most toward its predicted class (from the
 * probabilities already computed), as "glucose +0.81; bmi +0.22; …".
 */
async function rowsWhy(
  model: AnyClassifier,
  frame: Frame,
  file: string,
  table: RawTable,
  proba: Matrix,
): Promise<string[]> {
  const { rows } = await namingRows(file, table, () =>
    explainRows(model as Classifier<Frame>, frame, frame.nRows, proba),
  );
  return rows.map((r) =>
    r.top
      .slice(0, 3)
      .map(([f, v]) => `${f} ${v >= 0 ? "+" : "-"}${Math.abs(v).toFixed(3)}`)
      .join("; "),
  );
}

/** Runs `work` on the rows of `table`; a RowError (a bad value, NaN probabilities) names the file's line. */
async function namingRows<T>(file: string, table: RawTable, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof RowError) throw e.at(file, table.lines[e.row]);
    throw e;
  }
}

/** The indices of the --keep columns (a StrataError naming a missing one). */
function keepColumns(
  file: string,
  table: { readonly columns: readonly string[] },
  names: readonly string[] = [],
): number[] {
  return names.map((name) => {
    const j = table.columns.indexOf(name);
    if (j === -1)
      throw new StrataError(
        `${file}: --keep column "${name}" not found; the columns are: ${table.columns.join(", ")}`,
      );
    return j;
  });
}

/** What the model in `dir` predicts: "regression" for a regressor (its strata.json says so). */
async function modelTask(dir: string): Promise<"regression" | "classification"> {
  return (await readManifest(dir)).task === "regression" ? "regression" : "classification";
}

/** The one CSV file of a table model's rows, read with the model's schema. */
async function readRows(dir: string, inputs: readonly string[], o: PredictCommandOptions) {
  if (inputs.length !== 1)
    throw new StrataError(`a table model predicts one CSV file, got ${inputs.length} paths`);
  const file = inputs[0];
  const schema = await readSchema(dir);
  const table = readCsv(file, { header: o.header, ...csvReadOptions(schema) });
  return { file, schema, table, frame: toFrame(table, schema.features) };
}

/** strata predict zoo:NAME images…: a pretrained model as it is, its top classes per image. */
async function predictWithZoo(ref: string, inputs: string[], o: PredictCommandOptions): Promise<void> {
  await resolveZoo(ref); // an unknown model is named before any image is read
  const { predictions } = await classifyWithZoo(ref, collectImages(inputs), o.top ?? 5);
  if (o.out) {
    const rows = predictions.map((p) => [
      p.file,
      ...p.top.flatMap((t) => [t.label, t.probability.toFixed(6)]),
    ]);
    const header = ["file", ...predictions[0].top.flatMap((_, i) => [`label_${i + 1}`, `proba_${i + 1}`])];
    await writeFileAtomic(o.out, stringify([header, ...rows]));
    return;
  }
  for (const p of predictions)
    process.stdout.write(
      `${p.file}: ${p.top.map((t) => `${t.label} ${(100 * t.probability).toFixed(1)}%`).join(", ")}\n`,
    );
}
