import { StrataError } from "../errors.js";
import { writeFileAtomic } from "../util/atomic.js";

export interface ExportCommandOptions {
  to: string;
  out: string;
  quiet?: boolean;
}

/** The formats `strata export --to` writes. */
export const EXPORT_FORMATS = ["onnx"] as const;

/**
 * strata export DIR --to onnx --out FILE.onnx: the model, its preprocessing inside, as one ONNX
 * graph that onnxruntime runs on the user's raw column values (see export/onnx-export.ts).
 */
export async function exportCommand(dir: string, o: ExportCommandOptions): Promise<void> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(o.to))
    throw new StrataError(`--to ${o.to}: strata exports to ${EXPORT_FORMATS.join(", ")} today`);
  // Loaded on use: the ONNX writer is not needed by the other commands.
  const { exportOnnx } = await import("../export/onnx-export.js");
  const result = await exportOnnx(dir);
  await writeFileAtomic(o.out, result.bytes);
  if (o.quiet) return;
  const inputs = result.inputs.map((i) => `${i.name} (${i.type === "float" ? "float32" : "string"})`);
  process.stdout.write(
    `wrote ${o.out} (${result.bytes.byteLength} bytes): ${result.kind} model, ${result.classes.length} classes\n` +
      `  inputs, each [rows, 1]: ${inputs.join(", ")}\n` +
      `  outputs: label (string [rows]), probabilities (float32 [rows, ${result.classes.length}])\n`,
  );
}
