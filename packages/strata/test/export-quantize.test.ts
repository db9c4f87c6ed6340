// strata export --quantize float16|uint8 (issue 21): the weight tensors are stored as float16
// (Cast back to float32 in the graph) or as uint8 with a scale and zero point per output channel
// (DequantizeLinear); the graph still computes in float32. On a dense binary model, a dense
// multi-class one and XGBoost, run by onnxruntime-node: float16 within 1e-2 of strata's
// probabilities, uint8 within the bound below; the file shrinks to about a half and a quarter
// when weights dominate it; the printed size is the file's and the parameter count is the
// network's; the ONNX checker accepts every file; another type is refused in one line.
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { readCsv } from "../src/data/csv.js";
import { csvReadOptions } from "../src/data/schema.js";
import { toFrame } from "../src/data/tabular.js";
import { NetworkClassifier } from "../src/estimators/network.js";
import { loadModelDir } from "../src/workflow/model-dir.js";
import { noXGBoost } from "./helpers/addons.js";
import { assertNotWritten, assertUserError, lastJson, runCli, tempDir } from "./helpers/cli.js";
import { checkOnnx, csvFeeds, maxAbsDiff, onnxMetadata, PIMA, pimaRows, runOnnx } from "./helpers/onnx.js";

const WINE = "/work/shared/data/wine_quality/winequality-red.csv";

/**
 * The largest |Δp| allowed with uint8 weights, about 3 times the worst measured. Measured with
 * one scale per output channel over seeds 1–3 (WASM backend, as here): 0.7e-3 to 0.8e-3 on the
 * Pima network (8-256-256-1), 2.2e-3 to 3.4e-3 on the wine one (11-128-64-6); with one scale
 * per tensor 1.1e-3 to 2.4e-3 and 4.0e-3 to 5.2e-3. XGBoost has no weight tensors and does not move.
 */
const UINT8_BOUND = 1e-2;
const BOUND = { none: 1e-5, float16: 1e-2, uint8: UINT8_BOUND } as const;

type Quantize = keyof typeof BOUND;

interface Exported {
  readonly bytes: number;
  readonly parameters: number;
  readonly quantizedWeights: number;
  readonly maxDelta: number;
}

interface Case {
  readonly name: string;
  readonly kind: "dense" | "xgboost";
  readonly train: string;
  readonly target: string;
  readonly fit: readonly string[];
  readonly classes: number;
}

/**
 * Fits the case, exports it three times (as is, float16, uint8), checks each file and runs it in
 * onnxruntime on the test rows beside strata's probabilities. The float32 and float16 files are
 * described as people read it, the uint8 one as --json; both must give the file's size in bytes.
 */
async function exportThreeWays(
  t: import("node:test").TestContext,
  c: Case,
  rows: string,
): Promise<Record<Quantize, Exported>> {
  const dir = tempDir(t, "strata-quantize-");
  const fit = runCli(
    ["fit", c.train, "--target", c.target, "--model", c.kind, ...c.fit, "--quiet", "--out", "m"],
    dir,
  );
  assert.equal(fit.status, 0, fit.stderr);
  const { model, schema } = await loadModelDir(join(dir, "m"));
  const out = {} as Record<Quantize, Exported>;
  try {
    const table = readCsv(rows, csvReadOptions(schema));
    const proba = await model.predictProba(toFrame(table, schema.features));
    const networkParams = model instanceof NetworkClassifier ? model.network.countParams() : undefined;
    for (const q of ["none", "float16", "uint8"] as const) {
      const file = `m-${q}.onnx`;
      const json = q === "uint8";
      const args = ["export", "m", "--to", "onnx", "--out", file, ...(q === "none" ? [] : ["--quantize", q])];
      const r = runCli(json ? [...args, "--json"] : args, dir);
      assert.equal(r.status, 0, r.stderr);
      const size = statSync(join(dir, file)).size;
      let parameters: number;
      let quantizedWeights: number;
      if (json) {
        const o = lastJson(r.stdout);
        assert.equal(o.file, file);
        assert.equal(o.bytes, size);
        assert.equal(o.kind, c.kind);
        assert.equal(o.quantize, q);
        assert.equal((o.classes as string[]).length, c.classes);
        assert.deepEqual(
          (o.outputs as { name: string }[]).map((x) => x.name),
          ["label", "probabilities"],
        );
        parameters = o.parameters as number;
        quantizedWeights = o.quantizedWeights as number;
      } else {
        // wrote m-none.onnx (277607 bytes): dense model, 2 classes
        //   size 271.1 KiB, 68,353 parameters, weights float32   (or: weights float16 (3 tensors))
        //   size 13.4 KiB, no weight tensors (--quantize float16 changes nothing)   (XGBoost)
        const head =
          /^wrote (\S+) \((\d+) bytes\): (\w+) model, (\d+) classes\n {2}size ([\d.]+) (B|KiB|MiB), (.*)\n/.exec(
            r.stdout,
          );
        assert.ok(head, r.stdout);
        const [, name, printedBytes, kind, classes, human, unit, weights] = head;
        assert.deepEqual(
          [name, Number(printedBytes), kind, Number(classes)],
          [file, size, c.kind, c.classes],
        );
        const units = { B: 1, KiB: 1024, MiB: 2 ** 20 };
        assert.equal(
          human,
          unit === "B" ? String(size) : (size / units[unit as keyof typeof units]).toFixed(1),
        );
        const stored =
          /^([\d,]+) parameters, weights (?:float32|(float16|uint8) \((\d+) tensors\))$|^no weight tensors( \(--quantize (float16|uint8) changes nothing\))?$/.exec(
            weights,
          );
        assert.ok(stored, weights);
        assert.equal(stored[2] ?? stored[5] ?? "none", q);
        parameters = Number((stored[1] ?? "0").replaceAll(",", ""));
        quantizedWeights = Number(stored[3] ?? 0);
      }
      if (networkParams !== undefined) assert.equal(parameters, networkParams, "the network's parameters");
      const path = join(dir, file);
      checkOnnx(t, path);
      const bytes = readFileSync(path);
      const metadata = onnxMetadata(bytes);
      assert.equal(metadata["strata.quantize"], q);
      const { outputs: result } = await runOnnx(
        bytes,
        csvFeeds(rows, JSON.parse(metadata["strata.inputs"]), { delimiter: schema.delimiter }),
      );
      assert.deepEqual(result.probabilities.dims, [table.rows.length, c.classes]);
      const maxDelta = maxAbsDiff(result.probabilities.data as Float32Array, proba.data);
      t.diagnostic(
        `${c.name}, ${q}: ${size} bytes, ${parameters} parameters, ${quantizedWeights} quantized tensors, max |Δp| ${maxDelta.toExponential(2)}`,
      );
      assert.ok(maxDelta <= BOUND[q], `${q}: probabilities differ by ${maxDelta} (bound ${BOUND[q]})`);
      out[q] = { bytes: size, parameters, quantizedWeights, maxDelta };
    }
  } finally {
    model.dispose();
  }
  return out;
}

describe("strata export --quantize", { concurrency: 1 }, () => {
  test("dense, binary (Pima, two hidden layers of 256): float16 halves the file, uint8 quarters it", async (t) => {
    const rows = pimaRows(tempDir(t, "strata-quantize-rows-"), 200);
    const r = await exportThreeWays(
      t,
      {
        name: "dense Pima",
        train: PIMA,
        target: "outcome",
        kind: "dense",
        fit: ["--hidden", "256,256", "--epochs", "8"],
        classes: 2,
      },
      rows,
    );
    // The kernels 8×256 and 256×256; the 256×1 one (under 1024 elements) and biases stay float32.
    assert.equal(r.float16.quantizedWeights, 2);
    assert.equal(r.uint8.quantizedWeights, 2);
    const half = r.float16.bytes / r.none.bytes;
    const quarter = r.uint8.bytes / r.none.bytes;
    t.diagnostic(`float16 ${half.toFixed(3)} of the float32 file, uint8 ${quarter.toFixed(3)}`);
    assert.ok(half > 0.45 && half < 0.55, `float16 file is ${half} of the float32 one`);
    assert.ok(quarter > 0.2 && quarter < 0.3, `uint8 file is ${quarter} of the float32 one`);
  });

  test("dense, multi-class (red wine quality, 6 classes)", async (t) => {
    const r = await exportThreeWays(
      t,
      {
        name: "dense wine",
        train: WINE,
        target: "quality",
        kind: "dense",
        fit: ["--hidden", "128,64", "--epochs", "8"],
        classes: 6,
      },
      WINE,
    );
    // The kernels 11×128 and 128×64; the 64×6 one stays float32.
    assert.equal(r.uint8.quantizedWeights, 2);
    assert.ok(r.float16.bytes < r.none.bytes && r.uint8.bytes < r.float16.bytes);
  });

  test("XGBoost: no weight tensors; its thresholds and leaves stay as they are", {
    skip: noXGBoost,
  }, async (t) => {
    const r = await exportThreeWays(
      t,
      {
        name: "xgboost Pima",
        train: PIMA,
        target: "outcome",
        kind: "xgboost",
        fit: ["--epochs", "8"],
        classes: 2,
      },
      PIMA,
    );
    for (const q of ["float16", "uint8"] as const) {
      assert.equal(r[q].quantizedWeights, 0);
      assert.equal(r[q].parameters, 0);
      assert.equal(r[q].maxDelta, r.none.maxDelta, "the same trees give the same probabilities");
      // Only the metadata's "strata.quantize" differs.
      assert.ok(Math.abs(r[q].bytes - r.none.bytes) < 8);
    }
  });

  test("--quantize with another type is refused in one line, and nothing is written", (t) => {
    const dir = tempDir(t, "strata-quantize-refuse-");
    const fit = runCli(
      ["fit", PIMA, "--target", "outcome", "--model", "logistic", "--quiet", "--out", "m"],
      dir,
    );
    assert.equal(fit.status, 0, fit.stderr);
    const r = runCli(["export", "m", "--to", "onnx", "--out", "m.onnx", "--quantize", "int4"], dir);
    assertUserError(r, ["--quantize int4", "float16 or uint8"]);
    assertNotWritten(dir, "m.onnx");
  });
});
