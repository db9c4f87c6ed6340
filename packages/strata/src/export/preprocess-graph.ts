import type { PreprocessState } from "../data/preprocess.js";
import type { TabularSchema } from "../data/schema.js";
import { StrataError } from "../errors.js";
import { type GraphBuilder, ML } from "./onnx-graph.js";

/** The spellings strata reads as a missing value (data/values.ts), in every mix of letter case. */
const MISSING_WORDS = ["", "na", "n/a", "nan", "null", "none", "?", "#n/a"];

function caseVariants(word: string): string[] {
  let variants = [""];
  for (const ch of word) {
    const forms = [...new Set([ch.toLowerCase(), ch.toUpperCase()])];
    variants = variants.flatMap((v) => forms.map((f) => v + f));
  }
  return variants;
}

/** Every string strata treats as missing in a category column (after trimming). */
export const MISSING_SPELLINGS: readonly string[] = MISSING_WORDS.flatMap(caseVariants);

/** One graph input: a feature column's name and its element type. */
export interface ColumnInput {
  readonly name: string;
  readonly type: "float" | "string";
}

/**
 * Adds to `g` one input per feature column (shape [rows, 1]: numbers as float32 with NaN for a
 * missing value, categories as strings with "" for a missing one) and the nodes that turn them
 * into the matrix the model reads, as TabularPreprocessor.transform does: numbers imputed with
 * the training median (and, under the `nonFinite: "missing"` policy, ±Infinity too), then
 * standardised; categories imputed with the most frequent training value (every spelling strata
 * reads as missing), then one-hot encoded, an unseen category as all zeros. Returns the inputs
 * (in the schema's column order) and the name of the [rows, features] float matrix.
 */
export function addPreprocessing(
  g: GraphBuilder,
  state: PreprocessState,
  schema: TabularSchema,
): { inputs: ColumnInput[]; features: string } {
  const specs = new Map(schema.features.map((f) => [f.name, f]));
  for (const f of schema.features)
    if (f.parse === "date")
      throw new StrataError(
        `column "${f.name}" holds dates (read as decimal years); ONNX export of date columns is not supported yet`,
      );
  const inputs: ColumnInput[] = schema.features.map((f) => ({
    name: f.name,
    type: f.kind === "numeric" ? "float" : "string",
  }));
  for (const input of inputs) g.input(input.name, input.type, ["rows", 1]);
  const pieces: string[] = [];
  if (state.numeric.length > 0) {
    const imputed = state.numeric.map((c) => {
      let x = c.name;
      if (specs.get(c.name)?.nonFinite === "missing") {
        // ±Infinity is a missing value under this policy: NaN, then imputed like one.
        const nan = g.floats("nan", [Number.NaN], [1, 1]);
        x = g.op("Where", [g.op("IsInf", [x]), nan, x]);
      }
      const imputed = g.op(
        "Imputer",
        [x],
        { imputed_value_floats: { floats: [c.median] }, replaced_value_float: { float: Number.NaN } },
        ML,
      );
      return g.declare(imputed, "float", ["rows", 1]);
    });
    const numbers = imputed.length === 1 ? imputed[0] : g.op("Concat", imputed, { axis: { int: 1 } });
    const dims = [1, state.numeric.length];
    const centred = g.op("Sub", [
      numbers,
      g.floats(
        "mean",
        state.numeric.map((c) => c.mean),
        dims,
      ),
    ]);
    pieces.push(
      g.op("Div", [
        centred,
        g.floats(
          "std",
          state.numeric.map((c) => c.std),
          dims,
        ),
      ]),
    );
  }
  for (const c of state.categorical) pieces.push(addOneHot(g, c.name, c.categories, c.mostFrequent));
  const features = pieces.length === 1 ? pieces[0] : g.op("Concat", pieces, { axis: { int: 1 } });
  return { inputs, features };
}

/**
 * One-hot [rows, K] of a string input [rows, 1] over `categories`, a missing value counted as
 * `mostFrequent`: one OneHotEncoder over the categories and the missing spellings ([rows, K + M],
 * all zeros for an unseen value), then a MatMul by [identity; rows of e(mostFrequent)].
 */
function addOneHot(
  g: GraphBuilder,
  input: string,
  categories: readonly string[],
  mostFrequent: string,
): string {
  const known = new Set(categories);
  const missing = MISSING_SPELLINGS.filter((s) => !known.has(s));
  const all = [...categories, ...missing];
  const k = categories.length;
  const encoded = g.op("OneHotEncoder", [input], { cats_strings: { strings: all }, zeros: { int: 1 } }, ML);
  g.declare(encoded, "float", ["rows", 1, all.length]);
  const flat = g.op("Reshape", [encoded, g.int64s("shape", [-1, all.length], [2])]);
  const fill = categories.indexOf(mostFrequent);
  const map = new Float32Array(all.length * k);
  for (let i = 0; i < k; i++) map[i * k + i] = 1;
  if (fill >= 0) for (let i = k; i < all.length; i++) map[i * k + fill] = 1;
  return g.op("MatMul", [flat, g.floats("onehot_map", map, [all.length, k])]);
}
