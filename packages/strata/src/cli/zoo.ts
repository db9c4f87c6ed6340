import { useBackend } from "../backend.js";
import { StrataError } from "../errors.js";
import { addZooModel, listZoo, removeZooModel } from "../models/zoo/registry.js";
import type { ZooInfo } from "../models/zoo/types.js";
import type { OutputOptions } from "./options.js";
import { makeOutput } from "./output.js";

/** strata zoo: every model strata can load, with its size (small ones suit phones). */
export async function zooListCommand(o: OutputOptions): Promise<void> {
  const out = makeOutput(o);
  const models = await listZoo();
  if (out.json) {
    out.emitJson({ models: models.map(describe) });
    return;
  }
  const rows = [
    ["name", "parameters", "size", "input", "trained on", "output", "license"],
    ...models.map((m) => [
      m.builtin ? m.name : `${m.name} (registered)`,
      `${(m.params / 1e6).toFixed(2)} M`,
      `${(m.bytes / 2 ** 20).toFixed(1)} MiB`,
      `${m.inputSize[0]}x${m.inputSize[1]}`,
      m.trainedOn,
      m.output,
      m.license,
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows)
    out.result(
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    );
  out.result(
    "\nUse one with: strata predict zoo:NAME photo.jpg, or strata fit FOLDER --model transfer --backbone NAME",
  );
}

/** strata zoo add NAME PATH: copies a model into the zoo's cache (STRATA_HOME) under NAME. */
export async function zooAddCommand(name: string, path: string, o: OutputOptions): Promise<void> {
  const out = makeOutput(o);
  await useBackend(); // adding loads the model once, to check it
  const info = await addZooModel(name, path);
  if (out.json) out.emitJson(describe(info));
  else
    out.result(
      `added ${info.name}: ${info.format}, ${(info.params / 1e6).toFixed(2)} M parameters, ${info.dir}`,
    );
}

/** strata zoo remove NAME. */
export async function zooRemoveCommand(name: string, o: OutputOptions): Promise<void> {
  if (!(await removeZooModel(name))) throw new StrataError(`no registered zoo model named "${name}"`);
  makeOutput(o).result(`removed ${name}`);
}

function describe(m: ZooInfo) {
  return {
    name: m.name,
    builtin: m.builtin,
    description: m.description,
    trainedOn: m.trainedOn,
    parameters: m.params,
    bytes: m.bytes,
    inputSize: m.inputSize,
    preprocessing: m.preprocessing,
    output: m.output,
    labels: m.labels ?? null,
    cut: m.cut ?? null,
    fullyConvolutional: m.fullyConvolutional,
    license: m.license,
    source: m.source,
    format: m.format,
  };
}
