// What the ONNX export tests share: Debian's ONNX checker, running a graph in onnxruntime-node,
// feeds from a CSV file's rows or from images, the graph's metadata, and the largest |Δp|.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import onnxProto from "onnx-proto";
import * as ort from "onnxruntime-node";
import { readCsv } from "../../src/data/csv.js";
import { isMissing, parseNumber } from "../../src/data/values.js";
import { decodeImage } from "../../src/images/decode.js";
import { runCli } from "./cli.js";
import { sharedData } from "./data.js";

export const PIMA = sharedData("pima_diabetes/pima-indians-diabetes.csv");

/** onnxruntime's inputs, by name. */
export type Feeds = Record<string, ort.Tensor>;

let python: string | null | undefined;
/** The Python with Debian's onnx module (python3 may be a pyenv one without it), or null. */
function onnxPython(): string | null {
  python ??=
    ["python3", "/usr/bin/python3"].find(
      (p) => spawnSync(p, ["-c", "import onnx"], { encoding: "utf8" }).status === 0,
    ) ?? null;
  return python;
}

/**
 * Runs Debian's ONNX checker (python3-onnx, full_check) on `file`. Without python3-onnx the check
 * is left out (the test goes on, and says why); under CI=true that is a failure (.ci/run installs it).
 */
export function checkOnnx(t: TestContext, file: string): void {
  const py = onnxPython();
  if (py === null) {
    if (process.env.CI) throw new Error("CI=true, but python3-onnx is missing (.ci/run installs it)");
    t.diagnostic(`the ONNX checker did not run on ${file}: no python3 with onnx (apt install python3-onnx)`);
    return;
  }
  const r = spawnSync(
    py,
    ["-c", "import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", file],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, `the ONNX checker refuses ${file}: ${r.stderr}`);
}

export interface OnnxRun {
  readonly outputs: ort.InferenceSession.OnnxValueMapType;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

/**
 * Runs a graph (a file or its bytes) once in onnxruntime-node on `feeds`, which may be made from
 * the graph's input names, and releases the session.
 */
export async function runOnnx(
  model: string | Uint8Array,
  feeds: Feeds | ((inputNames: readonly string[]) => Feeds),
): Promise<OnnxRun> {
  // Two calls: create's overloads take a path or bytes, not their union.
  const session =
    typeof model === "string"
      ? await ort.InferenceSession.create(model)
      : await ort.InferenceSession.create(model);
  try {
    const outputs = await session.run(typeof feeds === "function" ? feeds(session.inputNames) : feeds);
    return { outputs, inputNames: session.inputNames, outputNames: session.outputNames };
  } finally {
    await session.release();
  }
}

/** The largest |got[i] - want[i]| over want's elements. */
export function maxAbsDiff(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
  return max;
}

/** A graph's metadata_props, by key. */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  return Object.fromEntries(model.metadataProps.map((p) => [p.key, p.value]));
}

/** One of the graph's inputs, as metadata `strata.inputs` lists them. */
export interface GraphInput {
  readonly name: string;
  /** "float" (a number column) or "string" (categories, dates). */
  readonly type: string;
}

/**
 * onnxruntime's feeds for the rows of `csv`, a [rows, 1] tensor per input: numbers as float32 (NaN
 * when missing), other columns as strings. Cells are trimmed unless `trim` is false.
 */
export function csvFeeds(
  csv: string,
  inputs: readonly GraphInput[],
  options: { delimiter?: string; trim?: boolean } = {},
): Feeds {
  const table = readCsv(csv, options.delimiter === undefined ? {} : { delimiter: options.delimiter });
  const n = table.rows.length;
  const out: Feeds = {};
  for (const { name, type } of inputs) {
    const j = table.columns.indexOf(name);
    const cells = table.rows.map((r) => (options.trim === false ? r[j] : r[j].trim()));
    out[name] =
      type === "float"
        ? new ort.Tensor(
            "float32",
            Float32Array.from(cells, (c) => (isMissing(c) ? Number.NaN : parseNumber(c))),
            [n, 1],
          )
        : new ort.Tensor("string", cells, [n, 1]);
  }
  return out;
}

/** The images as strata decodes them at [height, width], RGB 0–255: an image graph's input. */
export async function imagePixels(
  files: readonly string[],
  height: number,
  width: number,
): Promise<ort.Tensor> {
  const data = new Float32Array(files.length * height * width * 3);
  for (const [i, f] of files.entries())
    data.set(await decodeImage(f, { width, height, channels: 3 }), i * height * width * 3);
  return new ort.Tensor("float32", data, [files.length, height, width, 3]);
}

/** The labels `strata predict MODEL ROWS` prints (its first column), run in `dir`. */
export function strataLabels(dir: string, model: string, rows: string): string[] {
  const predicted = runCli(["predict", model, rows], dir);
  assert.equal(predicted.status, 0, predicted.stderr);
  return predicted.stdout
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",")[0]);
}

/** Writes the first `n` rows of Pima (with its header) to dir/rows.csv; returns its path. */
export function pimaRows(dir: string, n: number): string {
  const lines = readFileSync(PIMA, "utf8").trim().split("\n");
  writeFileSync(join(dir, "rows.csv"), `${lines.slice(0, n + 1).join("\n")}\n`);
  return join(dir, "rows.csv");
}

/**
 * Writes dir/train.csv, 120 rows of a small table with three classes: numbers `size` and `weight`
 * and a category `colour`, with missing values of both kinds ("", "NA", "NaN"). Returns its path.
 */
export function syntheticTrain(dir: string): string {
  const colours = ["red", "green", "blue"];
  const lines = ["size,colour,weight,label"];
  for (let i = 0; i < 120; i++) {
    const size = i % 5 === 0 ? "" : String(((i * 37) % 23) / 3);
    const colour = i % 7 === 0 ? "" : i % 11 === 0 ? "NA" : colours[(i * 5) % 3];
    const weight = i % 9 === 0 ? "NaN" : String(((i * 13) % 17) + 0.5);
    const label =
      ((i * 37) % 23) / 3 + (colour === "red" ? 3 : 0) > 5 ? "big" : i % 3 === 0 ? "mid" : "small";
    lines.push(`${size},${colour},${weight},${label}`);
  }
  writeFileSync(join(dir, "train.csv"), `${lines.join("\n")}\n`);
  return join(dir, "train.csv");
}
