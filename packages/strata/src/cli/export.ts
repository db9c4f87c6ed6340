import { basename, join, resolve } from "node:path";
import { StrataError } from "../errors.js";
import type { OnnxExport, Quantize } from "../export/onnx-export.js";
import { writeFileAtomic } from "../util/atomic.js";
import { makeOutput, type Output } from "./output.js";

export interface ExportCommandOptions {
  to: string;
  out: string;
  quantize?: string;
  json?: boolean;
  quiet?: boolean;
}

/** The formats `strata export --to` writes. */
export const EXPORT_FORMATS = ["onnx", "web"] as const;

/** The weight types of `--quantize` (as export/quantize-weights.ts's QUANTIZE_TYPES, without loading it). */
const QUANTIZE_TYPES: readonly Quantize[] = ["float16", "uint8"];

/** strata export DIR --to FORMAT --out PATH: one branch per format. */
export async function exportCommand(dir: string, o: ExportCommandOptions): Promise<void> {
  const quantize = quantizeOption(o.quantize);
  if (o.to === "onnx") return exportOnnxFile(dir, o, quantize);
  if (o.to === "web") return exportWebFolder(dir, o, quantize);
  throw new StrataError(`--to ${o.to}: strata exports to ${EXPORT_FORMATS.join(", ")} today`);
}

function quantizeOption(value: string | undefined): Quantize | undefined {
  if (value === undefined) return undefined;
  const known = QUANTIZE_TYPES.find((q) => q === value);
  if (!known)
    throw new StrataError(`--quantize ${value}: strata stores weights as ${QUANTIZE_TYPES.join(" or ")}`);
  return known;
}

/**
 * --to onnx --out FILE.onnx: the model, its preprocessing inside, as one ONNX graph that
 * onnxruntime runs on the user's raw values (see export/onnx-export.ts); then what was written.
 */
async function exportOnnxFile(dir: string, o: ExportCommandOptions, quantize?: Quantize): Promise<void> {
  // Loaded on use: the ONNX writer is not needed by the other commands.
  const { exportOnnx } = await import("../export/onnx-export.js");
  const result = await exportOnnx(dir, { quantize });
  await writeFileAtomic(o.out, result.bytes);
  const out = makeOutput(o);
  if (out.json) out.emitJson(describeExport(o.out, result));
  else if (!o.quiet) printExport(out, o.out, result);
}

/**
 * --to web --out DIR: the same graph in a folder that predicts in a browser with no server and no
 * network request (index.html, predict.mjs, ONNX Runtime Web; see export/web-export.ts).
 */
async function exportWebFolder(dir: string, o: ExportCommandOptions, quantize?: Quantize): Promise<void> {
  const { exportOnnx } = await import("../export/onnx-export.js");
  const { exportWeb } = await import("../export/web-export.js");
  const result = await exportOnnx(dir, { quantize });
  const web = await exportWeb(result, o.out, basename(resolve(dir)));
  const model = join(o.out, "model.onnx");
  const out = makeOutput(o);
  const runtime = `ONNX Runtime Web ${web.info.runtime.version}`;
  if (out.json)
    out.emitJson({ ...describeExport(model, result), folder: o.out, folderBytes: web.totalBytes, runtime });
  else if (!o.quiet) {
    printExport(out, model, result);
    out.result(
      `wrote ${join(o.out, "index.html")}: open it in a browser to predict there (from disk or any static server; no network request); predict.mjs for your own pages`,
    );
    out.result(
      `  ${humanBytes(web.totalBytes)} in all, with ${runtime} (WebAssembly ${humanBytes(web.info.runtime.wasmBytes)}, and in base64 for index.html)`,
    );
  }
}

/** A graph output: its name, element type and shape. */
interface OutputInfo {
  readonly name: string;
  readonly type: "string" | "float32";
  readonly dims: readonly (string | number)[];
}

function outputsOf(r: OnnxExport): OutputInfo[] {
  // A regressor's prediction is [rows, 1], as each input is: one number per row.
  if (r.task === "regression")
    return [
      { name: "prediction", type: "float32", dims: ["rows", 1] },
      ...r.votes.map((v) => ({ name: v.output, type: "float32" as const, dims: ["rows", 1] })),
    ];
  const classes = r.classes.length;
  return [
    { name: "label", type: "string", dims: ["rows"] },
    { name: "probabilities", type: "float32", dims: ["rows", classes] },
    ...r.votes.map((v) => ({ name: v.output, type: "float32" as const, dims: ["rows", classes] })),
  ];
}

/** --json: one object saying what was written. */
function describeExport(file: string, r: OnnxExport) {
  return {
    file,
    bytes: r.bytes.byteLength,
    parameters: r.parameters,
    kind: r.kind,
    task: r.task,
    ...(r.task === "regression" ? { target: r.target } : { classes: r.classes }),
    inputs: r.image
      ? [{ name: "image", type: "float32", dims: ["n", r.image.height, r.image.width, 3] }]
      : r.inputs.map((i) => ({
          name: i.name,
          type: i.type === "float" ? "float32" : "string",
          dims: ["rows", 1],
        })),
    outputs: outputsOf(r),
    quantize: r.quantize,
    quantizedWeights: r.quantizedWeights,
  };
}

function printExport(out: Output, file: string, r: OnnxExport): void {
  const bytes = r.bytes.byteLength;
  // A tree ensemble has no weight tensors: its thresholds and leaves are operator attributes.
  const weights =
    r.parameters === 0
      ? `no weight tensors${r.quantize === "none" ? "" : ` (--quantize ${r.quantize} changes nothing)`}`
      : `${r.parameters.toLocaleString("en-US")} parameters, ` +
        (r.quantize === "none"
          ? "weights float32"
          : r.quantizedWeights > 0
            ? `weights ${r.quantize} (${r.quantizedWeights} tensors)`
            : `no weight tensors stored as ${r.quantize}`);
  const what =
    r.task === "regression"
      ? `a regressor${r.target ? ` of ${r.target}` : ""} (a number per row)`
      : `${r.classes.length} classes`;
  out.result(`wrote ${file} (${bytes} bytes): ${r.kind} model, ${what}`);
  out.result(`  size ${humanBytes(bytes)}, ${weights}`);
  if (r.image) out.result(`  input: image (float32 [n, ${r.image.height}, ${r.image.width}, 3], RGB 0-255)`);
  else {
    const inputs = r.inputs.map((i) => `${i.name} (${i.type === "float" ? "float32" : "string"})`);
    out.result(`  inputs, each [rows, 1]: ${inputs.join(", ")}`);
  }
  const outputs = outputsOf(r).map((x) => `${x.name} (${x.type} [${x.dims.join(", ")}])`);
  out.result(`  outputs: ${outputs.join(", ")}`);
}

/** A size for people: 512 B, 3.4 KiB, 4.0 MiB, 1.2 GiB. */
export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let u = 0;
  let v = n;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}
