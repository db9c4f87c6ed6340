import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../../errors.js";
import { toHeightWidth } from "../formats/topology.js";
import { PRESETS } from "./catalog.js";
import { addZooModelFromUrl, type Fetcher } from "./fetch.js";
import { loadByFormat } from "./load-format.js";
import { findZooModel, infoForPath, listZoo } from "./registry.js";
import type { ZooInfo } from "./types.js";

export interface LoadZooOptions {
  /** Rebuild a fully convolutional network at this image size (a side, or [height, width]). */
  inputSize?: number | readonly [number, number];
  /** For https:// URLs: the fetch to use (tests pass an offline one). */
  fetch?: Fetcher;
}

/**
 * Loads a zoo model: `nameOrPath` is a zoo name (optionally "zoo:"-prefixed; built-in or
 * registered), an https:// URL (downloaded into the cache once, then reused), or a local model
 * path (loaded in place). Returns the model and its info; `info.inputSize` is the size the
 * returned model takes. An unknown name lists the valid ones; a bad path says it is not a model.
 */
export async function loadZooModel(
  nameOrPath: string,
  opts: LoadZooOptions = {},
): Promise<{ model: tfl.LayersModel; info: ZooInfo }> {
  const info = await resolveZoo(nameOrPath, opts.fetch);
  const size = opts.inputSize === undefined ? undefined : toHeightWidth(opts.inputSize);
  const model = await loadByFormat(info, size);
  const shape = model.inputs[0].shape;
  const inputSize: [number, number] = [shape[1] ?? info.inputSize[0], shape[2] ?? info.inputSize[1]];
  return { model, info: { ...info, inputSize } };
}

/** The zoo entry `nameOrPath` refers to (see {@link loadZooModel}), without loading the model. */
export async function resolveZoo(nameOrPath: string, fetcher?: Fetcher): Promise<ZooInfo> {
  const forced = nameOrPath.startsWith("zoo:");
  const ref = forced ? nameOrPath.slice(4) : nameOrPath;
  if (/^https?:\/\//i.test(ref)) {
    const name = `url-${createHash("sha256").update(ref).digest("hex").slice(0, 12)}`;
    return (await findZooModel(name)) ?? addZooModelFromUrl(name, ref, {}, fetcher);
  }
  const found = await findZooModel(ref);
  if (found) return found;
  if (!forced && (existsSync(ref) || /[/\\]/.test(ref))) return infoForPath(ref);
  const names = (await listZoo()).map((i) => i.name);
  const preset = PRESETS[ref]
    ? `; "${ref}" is a known model: register its files with addZooModel("${ref}", path)`
    : "";
  throw new StrataError(
    `unknown zoo model "${ref}"; known: ${names.join(", ")}${preset} (register others with addZooModel, or give a model path)`,
  );
}
