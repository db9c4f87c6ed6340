import { existsSync } from "node:fs";
import { join } from "node:path";
import type { PreprocessState } from "../data/preprocess.js";
import type { TabularSchema } from "../data/schema.js";
import { StrataError } from "../errors.js";
import { builtInKinds } from "../estimators/built-in-kinds.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { loadClassifier } from "../estimators/load.js";
import { readManifest } from "../estimators/manifest.js";
import type { AnyRegressor } from "../estimators/regressor-types.js";
import { readSchema, SCHEMA_JSON } from "../workflow/model-dir.js";
import { type ColumnInput, ExportContext, type GraphModel, type MemberVote } from "./export-context.js";
import type { KindGraph, RegressorGraph } from "./kind-graph.js";
import { KIND_GRAPHS, REGRESSOR_GRAPHS } from "./kind-graphs.js";
import { GraphBuilder, ML } from "./onnx-graph.js";
import { QUANTIZE_TYPES, type Quantize } from "./quantize-weights.js";

export { QUANTIZE_TYPES, type Quantize } from "./quantize-weights.js";

/** How to write the graph. */
export interface OnnxExportOptions {
  /**
   * Store the weight tensors (dense and convolution kernels, embeddings) of 1024 elements or more
   * as float16, or as uint8 with a scale and zero point per output channel; the graph still
   * computes in float32. Smaller weights, biases, normalisation statistics and preprocessing
   * constants stay float32, and a tree ensemble's thresholds and leaf values are operator
   * attributes, kept as they are.
   */
  readonly quantize?: Quantize;
}

/** The model kinds `strata export --to onnx` writes: the classifiers', then the regressors'. */
export const ONNX_KINDS: readonly string[] = [...KIND_GRAPHS, ...REGRESSOR_GRAPHS].map((k) => k.kind);

/** A classifier's graph's outputs: the label ([rows], a class name) and the probabilities ([rows, classes]). */
export const LABEL_OUTPUT = "label";
export const PROBABILITIES_OUTPUT = "probabilities";
/** A regressor's graph's output: the prediction, float32 [rows, 1], in the target's units. */
export const PREDICTION_OUTPUT = "prediction";

/** What exportOnnx wrote. */
export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly kind: string;
  /** A classifier's graph (outputs label, probabilities) or a regressor's (output prediction). */
  readonly task: "classification" | "regression";
  /** The column the model predicts ("" when the directory does not say). */
  readonly target: string;
  /** A classifier's classes, in the probabilities' order; none for a regressor. */
  readonly classes: readonly string[];
  /** The column inputs ([rows, 1] each); empty for an image model. */
  readonly inputs: readonly ColumnInput[];
  /** The image input's size, for an image model. */
  readonly image?: { readonly height: number; readonly width: number };
  /** An ensemble's members' probabilities (a regressor ensemble's: predictions), each an extra output. */
  readonly votes: readonly MemberVote[];
  /**
   * The learned values in the graph: the elements of its weight tensors, biases and normalisation
   * statistics (weight-roles.ts), as a network's countParams counts them; a tree ensemble's
   * thresholds and leaves (operator attributes) are not counted.
   */
  readonly parameters: number;
  /** How the weights are stored ("none": float32). */
  readonly quantize: Quantize | "none";
  /** How many weight tensors are stored quantized (0 without --quantize, or with no weights). */
  readonly quantizedWeights: number;
}

function isRegressor(model: GraphModel): model is AnyRegressor {
  return (model as { task?: string }).task === "regression";
}

/** A classifier's probabilities, or a regressor's prediction, by its kind's writer. */
function writeModel(ctx: ExportContext, model: GraphModel): string {
  const writer = isRegressor(model)
    ? REGRESSOR_GRAPHS.find((k) => k.kind === model.kind)
    : KIND_GRAPHS.find((k) => k.kind === model.kind);
  if (!writer)
    throw new StrataError(
      `a ${model.kind} model cannot be exported to ONNX; strata exports ${ONNX_KINDS.join(", ")}`,
    );
  return isRegressor(model)
    ? (writer as RegressorGraph).prediction(ctx, model)
    : (writer as KindGraph).probabilities(ctx, model);
}

/** The classifier's outputs: `probabilities`, and `label` their ArgMax as a class name. */
function classifierOutputs(ctx: ExportContext, model: AnyClassifier, classes: readonly string[]): void {
  const g = ctx.g;
  g.node("Identity", [writeModel(ctx, model)], {}, { outputs: [PROBABILITIES_OUTPUT] });
  // The label is the ArgMax of the probabilities, a class name through a LabelEncoder.
  const index = g.op("ArgMax", [PROBABILITIES_OUTPUT], { axis: { int: 1 }, keepdims: { int: 0 } });
  g.node(
    "LabelEncoder",
    [index],
    {
      keys_int64s: { ints: classes.map((_, i) => i) },
      values_strings: { strings: [...classes] },
      default_string: { string: "" },
    },
    { domain: ML, outputs: [LABEL_OUTPUT] },
  );
  g.output(LABEL_OUTPUT, "string", ["rows"]);
  g.output(PROBABILITIES_OUTPUT, "float", ["rows", classes.length]);
}

/** The regressor's output: `prediction` [rows, 1], as the inputs are [rows, 1] each. */
function regressorOutputs(ctx: ExportContext, model: AnyRegressor): void {
  ctx.g.node("Identity", [writeModel(ctx, model)], {}, { outputs: [PREDICTION_OUTPUT] });
  ctx.g.output(PREDICTION_OUTPUT, "float", ["rows", 1]);
}

/** The directory's model: a regressor when its strata.json says so, else a classifier. */
async function loadModel(dir: string): Promise<GraphModel> {
  const manifest = await readManifest(dir);
  return manifest.task === "regression" ? builtInKinds.loadRegressor(dir) : loadClassifier(dir);
}

/**
 * A model directory as one ONNX graph: the raw inputs (one per feature column, or one image
 * tensor), strata's preprocessing, the model, and its outputs: a classifier's `label` and
 * `probabilities` in the model's class order, the class names in the metadata (strata.classes, a
 * JSON list); a regressor's `prediction` (float32 [rows, 1]); and an ensemble's members'
 * `vote/<name>` (their probabilities, or predictions). The metadata's strata.task says which.
 */
export async function exportOnnx(dir: string, options: OnnxExportOptions = {}): Promise<OnnxExport> {
  const quantize = options.quantize;
  if (quantize !== undefined && !QUANTIZE_TYPES.includes(quantize))
    throw new StrataError(
      `quantize "${String(quantize)}": strata stores weights as ${QUANTIZE_TYPES.join(" or ")}`,
    );
  const model = await loadModel(dir);
  try {
    // An auto model's columns are those of the model it chose.
    const unwrapped = (model as unknown as { chosen?: unknown }).chosen ?? model;
    const table = unwrapped as { preprocessor?: { fitted: PreprocessState } };
    const schema = existsSync(join(dir, SCHEMA_JSON))
      ? await readSchema(dir)
      : table.preprocessor
        ? schemaOf(table.preprocessor.fitted)
        : undefined;
    const regression = isRegressor(model);
    const classes = regression ? [] : model.classes.map(String);
    const outputs = regression ? [PREDICTION_OUTPUT] : [LABEL_OUTPUT, PROBABILITIES_OUTPUT];
    const g = new GraphBuilder({ quantize });
    const ctx = new ExportContext(g, schema, writeModel);
    // The schema's columns are the inputs, in its order, whether or not every model reads them.
    for (const f of schema?.features ?? []) {
      if (outputs.includes(f.name) || f.name.startsWith("vote/"))
        throw new StrataError(
          `column "${f.name}" has the name of an output of the ONNX graph; rename the column and fit again`,
        );
      // A date column is given as its text (YYYY, YYYY-MM or YYYY-MM-DD), as in the CSV.
      ctx.column(f.name, f.kind === "numeric" && f.parse !== "date" ? "float" : "string");
    }
    if (regression) regressorOutputs(ctx, model);
    else classifierOutputs(ctx, model, classes);
    const inputs = ctx.inputs;
    const image = ctx.imageShape;
    const of = schema?.target ? ` of "${schema.target}"` : "";
    const bytes = g.encode(
      {
        "strata.kind": model.kind,
        "strata.task": regression ? "regression" : "classification",
        ...(regression ? {} : { "strata.classes": JSON.stringify(classes) }),
        "strata.target": schema?.target ?? "",
        "strata.inputs": JSON.stringify(inputs),
        ...(image ? { "strata.image": JSON.stringify(image) } : {}),
        ...(ctx.votes.length > 0 ? { "strata.votes": JSON.stringify(ctx.votes) } : {}),
        "strata.quantize": quantize ?? "none",
      },
      regression
        ? `strata ${model.kind} regressor${of}; output ${PREDICTION_OUTPUT} [rows, 1]`
        : `strata ${model.kind} classifier${of}; classes ${JSON.stringify(classes)}`,
    );
    return {
      bytes,
      kind: model.kind,
      task: regression ? "regression" : "classification",
      target: schema?.target ?? "",
      classes,
      inputs,
      image,
      votes: ctx.votes,
      parameters: g.parameters,
      quantize: quantize ?? "none",
      quantizedWeights: g.quantizedWeights,
    };
  } finally {
    model.dispose();
  }
}

/**
 * The columns of a model saved by the library's save (no schema.json): those its preprocessing
 * was fitted on, numbers read as numbers.
 */
function schemaOf(state: PreprocessState): TabularSchema {
  return {
    target: "",
    features: [
      ...state.numeric.map((c) => ({ name: c.name, kind: "numeric" as const })),
      ...state.categorical.map((c) => ({ name: c.name, kind: "categorical" as const })),
    ],
    dropped: [],
  };
}
