import type { Dataset, Group, File as H5File } from "h5wasm";
import { StrataError } from "../../errors.js";
import { firstLine } from "./message.js";

type H5wasm = typeof import("h5wasm").default;

let h5Module: Promise<H5wasm> | undefined;

/** h5wasm (HDF5 compiled to WASM, a few MB) loads on first use only. */
async function loadH5(): Promise<H5wasm> {
  h5Module ??= import("h5wasm").then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5Module;
}

const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when the bytes start with the HDF5 signature. */
export function isHdf5(bytes: Uint8Array): boolean {
  return HDF5_MAGIC.every((b, i) => bytes[i] === b);
}

let counter = 0;

/**
 * Opens HDF5 bytes with h5wasm and runs `fn` on the file. The ESM build of h5wasm keeps its files
 * in an in-memory Emscripten FS, so the bytes are written there under a unique name and removed
 * (with the file closed) whatever `fn` does. `label` names the file in errors.
 */
export async function withH5<T>(
  bytes: Uint8Array,
  label: string,
  fn: (file: H5File) => T | Promise<T>,
): Promise<T> {
  if (!isHdf5(bytes)) throw new StrataError(`${label}: not an HDF5 file (no HDF5 signature)`);
  const h5 = await loadH5();
  const { FS } = await h5.ready;
  const name = `/strata-${process.pid}-${counter++}.h5`;
  FS.writeFile(name, bytes);
  let file: H5File | undefined;
  try {
    try {
      file = new h5.File(name, "r");
    } catch (e) {
      throw new StrataError(`${label}: cannot open as HDF5 (${firstLine(e)})`);
    }
    return await fn(file);
  } finally {
    file?.close();
    FS.unlink(name);
  }
}

/**
 * Writes an HDF5 file with h5wasm: `fill` receives a new, empty file; the bytes are returned.
 * Used to export weights (and by the tests to build Keras files).
 */
export async function createH5(fill: (file: H5File) => void): Promise<Uint8Array> {
  const h5 = await loadH5();
  const { FS } = await h5.ready;
  const name = `/strata-${process.pid}-${counter++}.h5`;
  try {
    const file = new h5.File(name, "w");
    try {
      fill(file);
    } finally {
      file.close();
    }
    return FS.readFile(name);
  } finally {
    if (FS.analyzePath(name).exists) FS.unlink(name);
  }
}

/** A group at `path` (relative to `group`), or undefined when there is none. */
export function getGroup(group: Group, path: string): Group | undefined {
  const entity = safeGet(group, path);
  return entity !== undefined && isGroup(entity) ? entity : undefined;
}

/** A dataset at `path` (relative to `group`), or undefined when there is none. */
export function getDataset(group: Group, path: string): Dataset | undefined {
  const entity = safeGet(group, path);
  return entity !== undefined && isDataset(entity) ? entity : undefined;
}

function safeGet(group: Group, path: string): unknown {
  try {
    return group.get(path) ?? undefined;
  } catch {
    return undefined;
  }
}

function isGroup(x: unknown): x is Group {
  return typeof (x as Group).keys === "function" && typeof (x as Group).create_group === "function";
}

function isDataset(x: unknown): x is Dataset {
  return typeof x === "object" && x !== null && "metadata" in x && "shape" in x && !isGroup(x);
}

/** A string or string-list attribute (h5py writes both fixed-length and variable-length strings). */
export function stringListAttr(group: Group, name: string): string[] | undefined {
  const attr = group.attrs[name];
  if (attr === undefined) return undefined;
  const v = attr.json_value;
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return (v as unknown[]).flat(8).map(String);
  return undefined;
}

/** A single string attribute (e.g. Keras's `model_config` JSON), or undefined. */
export function stringAttr(group: Group, name: string): string | undefined {
  const v = group.attrs[name]?.json_value;
  return typeof v === "string" ? v : undefined;
}

/** A float dataset as float32 values with its shape. Throws for non-float data (e.g. bfloat16 bytes). */
export function readFloats(ds: Dataset, label: string): { shape: number[]; values: Float32Array } {
  const shape = ds.shape ?? [];
  const v = ds.value;
  if (v instanceof Float32Array) return { shape, values: v };
  if (v instanceof Float64Array) return { shape, values: Float32Array.from(v) };
  if (typeof v === "number") return { shape, values: Float32Array.of(v) };
  throw new StrataError(
    `${label}: dataset ${ds.path} has dtype ${JSON.stringify(ds.dtype)}, expected float32 or float64`,
  );
}
