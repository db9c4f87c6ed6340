import type { PreprocessState } from "../data/preprocess.js";
import { addDateColumn } from "./date-graph.js";
import type { ExportContext } from "./export-context.js";
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

/**
 * The matrix [rows, features] a table model reads, from the context's column inputs (shape
 * [rows, 1]: numbers as float32 with NaN for a missing value, categories as strings with "" for
 * a missing one; dates as their text, see date-graph.ts), as TabularPreprocessor.transform makes
 * it: numbers imputed with the training median (and, under the `nonFinite: "missing"` policy,
 * ±Infinity too), then standardised; dates read as decimal years, then like numbers (a date
 * strata would refuse is imputed too: a graph cannot fail one row); categories imputed with the
 * most frequent training value (every spelling strata reads as missing), then one-hot encoded, an
 * unseen category as all zeros.
 */
export function addPreprocessing(ctx: ExportContext, state: PreprocessState): string {
  const g = ctx.g;
  const specs = new Map((ctx.schema?.features ?? []).map((f) => [f.name, f]));
  const pieces: string[] = [];
  if (state.numeric.length > 0) {
    // A date column's values are years (~2000): the graph holds them less a whole year near its
    // median (and its median and mean too), so that float32 keeps the fraction of the year.
    const offsets = state.numeric.map((c) =>
      specs.get(c.name)?.parse === "date" && Number.isFinite(c.median) ? Math.round(c.median) : 0,
    );
    const imputed = state.numeric.map((c, i) => {
      let x: string;
      if (specs.get(c.name)?.parse === "date") {
        x = addDateColumn(g, ctx.column(c.name, "string"), offsets[i]);
      } else {
        x = ctx.column(c.name, "float");
        if (specs.get(c.name)?.nonFinite === "missing") {
          // ±Infinity is a missing value under this policy: NaN, then imputed like one.
          const nan = g.floats("nan", [Number.NaN], [1, 1]);
          x = g.op("Where", [g.op("IsInf", [x]), nan, x]);
        }
      }
      const imputed = g.op(
        "Imputer",
        [x],
        {
          imputed_value_floats: { floats: [c.median - offsets[i]] },
          replaced_value_float: { float: Number.NaN },
        },
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
        state.numeric.map((c, i) => c.mean - offsets[i]),
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
  for (const c of state.categorical)
    pieces.push(addOneHot(g, ctx.column(c.name, "string"), c.categories, c.mostFrequent));
  return pieces.length === 1 ? pieces[0] : g.op("Concat", pieces, { axis: { int: 1 } });
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
