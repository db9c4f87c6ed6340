import { existsSync } from "node:fs";
import { join } from "node:path";
import type * as tfl from "@tensorflow/tfjs-layers";
import type { PreprocessState } from "../data/preprocess.js";
import type { TabularSchema } from "../data/schema.js";
import { StrataError } from "../errors.js";
import type { DenseClassifier } from "../estimators/dense.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { loadClassifier } from "../estimators/load.js";
import type { LogisticRegression } from "../estimators/logistic.js";
import type { XGBoostClassifier } from "../estimators/xgboost.js";
import { readSchema, SCHEMA_JSON } from "../workflow/model-dir.js";
import { addDenseNetwork } from "./dense-graph.js";
import { addLogistic } from "./logistic-graph.js";
import { GraphBuilder, ML } from "./onnx-graph.js";
import { addPreprocessing, type ColumnInput } from "./preprocess-graph.js";
import { addXGBoost } from "./xgboost-graph.js";

/** The model kinds `strata export --to onnx` writes today. */
export const ONNX_KINDS = ["dense", "logistic", "xgboost"] as const;

/** The graph's outputs: the label ([rows], a class name) and the probabilities ([rows, classes]). */
export const LABEL_OUTPUT = "label";
export const PROBABILITIES_OUTPUT = "probabilities";

/** What exportOnnx wrote. */
export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly kind: string;
  readonly classes: readonly string[];
  readonly inputs: readonly ColumnInput[];
}

/**
 * A table model directory (dense, logistic or xgboost) as one ONNX graph: one input per feature
 * column, strata's preprocessing, the model, and the outputs `label` and `probabilities` in the
 * model's class order; the class names in the metadata (strata.classes, a JSON list).
 */
export async function exportOnnx(dir: string): Promise<OnnxExport> {
  const model = await loadClassifier(dir);
  try {
    if (!(ONNX_KINDS as readonly string[]).includes(model.kind))
      throw new StrataError(
        `${dir}: holds a ${model.kind} model; ONNX export writes table models of kind ${ONNX_KINDS.join(", ")} today`,
      );
    const table = model as unknown as { preprocessor: { fitted: PreprocessState } };
    const schema = existsSync(join(dir, SCHEMA_JSON))
      ? await readSchema(dir)
      : schemaOf(table.preprocessor.fitted);
    const classes = model.classes;
    const g = new GraphBuilder();
    const { inputs, features } = addPreprocessing(g, table.preprocessor.fitted, schema);
    for (const input of inputs)
      if (input.name === LABEL_OUTPUT || input.name === PROBABILITIES_OUTPUT)
        throw new StrataError(
          `column "${input.name}" has the name of an output of the ONNX graph; rename the column and fit again`,
        );
    const probabilities = modelGraph(g, model, features);
    g.node("Identity", [probabilities], {}, { outputs: [PROBABILITIES_OUTPUT] });
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
    const bytes = g.encode(
      {
        "strata.kind": model.kind,
        "strata.classes": JSON.stringify(classes),
        "strata.target": schema.target,
        "strata.inputs": JSON.stringify(inputs),
      },
      `strata ${model.kind} classifier${schema.target ? ` of "${schema.target}"` : ""}; classes ${JSON.stringify(classes)}`,
    );
    return { bytes, kind: model.kind, classes, inputs };
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

function modelGraph(g: GraphBuilder, model: AnyClassifier, features: string): string {
  switch (model.kind) {
    case "dense":
      return addDenseNetwork(g, (model as unknown as DenseClassifier).network as tfl.LayersModel, features);
    case "logistic":
      return addLogistic(g, model as unknown as LogisticRegression, features);
    default:
      return addXGBoost(g, model as unknown as XGBoostClassifier, features);
  }
}
