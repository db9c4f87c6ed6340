import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rm } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { StrataError } from "../../errors.js";
import { writeDirAtomic, writeJson } from "../../util/atomic.js";
import { type DetectedModel, detectModel } from "../formats/detect.js";
import { BUILTIN, PRESETS } from "./catalog.js";
import { loadByFormat, weightsOnlyError } from "./load-format.js";
import { builtinZooDir, diskBytes, zooCacheDir } from "./paths.js";
import type { ZooInfo, ZooMeta } from "./types.js";

/** The metadata file of a registered model, beside its files in the cache. */
export const ZOO_JSON = "zoo.json";
const ZOO_JSON_VERSION = 1;

/** Files copied along with a model when they sit beside it. */
const EXTRAS = /^(LICENSE|COPYING|PROVENANCE|README)/i;

/** The built-in models (shipped in the package) and those registered in the cache, with their sizes. */
export async function listZoo(): Promise<ZooInfo[]> {
  const out: ZooInfo[] = [];
  for (const name of Object.keys(BUILTIN)) out.push(await builtinInfo(name));
  const cache = zooCacheDir();
  if (!existsSync(cache)) return out;
  for (const entry of (await readdir(cache, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    // Temp siblings of an atomic write start with "."; a folder without zoo.json is not an entry.
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const info = await readRegistered(entry.name).catch(() => undefined);
    if (info) out.push(info);
  }
  return out;
}

/** A zoo entry by name (built-in or registered), or undefined. */
export async function findZooModel(name: string): Promise<ZooInfo | undefined> {
  if (BUILTIN[name]) return builtinInfo(name);
  if (!validName(name) || !existsSync(join(zooCacheDir(), name, ZOO_JSON))) return undefined;
  return readRegistered(name);
}

/**
 * Registers a local model (a TF.js layers folder or model.json, a Keras .h5, a .keras archive)
 * under `name`: its files (and any LICENSE/PROVENANCE/README beside it, and the label file) are
 * copied into `<STRATA_HOME or ~/.strata>/zoo/<name>/` atomically, with a zoo.json of its
 * metadata, and the copy is loaded once to check it. Known names (see PRESETS, e.g.
 * "squeezenet-1.1") get their metadata filled in; `meta` overrides it. Replaces an earlier
 * registration of the same name.
 */
export async function addZooModel(name: string, path: string, meta: ZooMeta = {}): Promise<ZooInfo> {
  if (!validName(name)) {
    throw new StrataError(
      `zoo name "${name}" is not valid: use letters, digits, ".", "_" and "-" (64 at most)`,
    );
  }
  if (BUILTIN[name])
    throw new StrataError(`"${name}" is a built-in zoo model; register yours under another name`);
  const detected = await detectModel(path);
  const merged: ZooMeta = { ...PRESETS[name], ...meta };
  if (detected.format === "keras-h5-weights+architecture" && !merged.architecture)
    throw weightsOnlyError(path);
  const labelFile = merged.labels?.file ? resolveLabelFile(merged.labels.file, detected.dir) : undefined;
  const target = join(zooCacheDir(), name);
  let info: ZooInfo | undefined;
  await writeDirAtomic(
    target,
    async (tmp) => {
      await copyModelFiles(detected, tmp);
      const labels = labelFile ? { ...merged.labels, file: basename(labelFile) } : merged.labels;
      if (labelFile) await copyFile(labelFile, join(tmp, basename(labelFile)));
      const draft = makeInfo(name, detected, { ...merged, labels }, tmp, false, 0, path);
      // Load the copy once, so a broken model never gets registered.
      (await loadByFormat(draft)).dispose();
      const { dir: _dir, bytes: _bytes, builtin: _builtin, ...stored } = draft;
      await writeJson(join(tmp, ZOO_JSON), { zooJsonVersion: ZOO_JSON_VERSION, ...stored });
      info = { ...draft, dir: target };
    },
    "zoo",
  );
  return { ...info!, bytes: await diskBytes(target) };
}

/** Removes a registered model from the cache; false when there was none. Built-ins cannot be removed. */
export async function removeZooModel(name: string): Promise<boolean> {
  if (BUILTIN[name]) throw new StrataError(`"${name}" is a built-in zoo model and cannot be removed`);
  const dir = join(zooCacheDir(), name);
  if (!validName(name) || !existsSync(dir)) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}

/** Zoo info for a model path that is not registered (loaded in place, nothing copied). */
export async function infoForPath(path: string, meta: ZooMeta = {}): Promise<ZooInfo> {
  const detected = await detectModel(path);
  const bytes = (await Promise.all(detected.files.map((f) => diskBytes(join(detected.dir, f))))).reduce(
    (a, b) => a + b,
    0,
  );
  // A model.json is named after its folder.
  const name = detected.format === "tfjs-layers" ? basename(detected.dir) : basename(resolve(path));
  return makeInfo(name, detected, meta, detected.dir, false, bytes, path);
}

function validName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name);
}

async function builtinInfo(name: string): Promise<ZooInfo> {
  const entry = BUILTIN[name];
  const dir = join(builtinZooDir(), name);
  const detected = await detectModel(join(dir, entry.file));
  return makeInfo(name, detected, entry.meta, dir, true, await diskBytes(dir), entry.meta.source);
}

async function readRegistered(name: string): Promise<ZooInfo> {
  const dir = join(zooCacheDir(), name);
  const file = join(dir, ZOO_JSON);
  let stored: Omit<ZooInfo, "dir" | "bytes" | "builtin"> & { zooJsonVersion?: number };
  try {
    stored = JSON.parse(await readFile(file, "utf8"));
  } catch {
    throw new StrataError(`${file}: unreadable zoo metadata; register the model again with addZooModel`);
  }
  if ((stored.zooJsonVersion ?? 0) > ZOO_JSON_VERSION) {
    throw new StrataError(`${file}: written by a newer strata (zoo.json version ${stored.zooJsonVersion})`);
  }
  const { zooJsonVersion: _v, ...info } = stored;
  return { ...info, name, dir, builtin: false, bytes: await diskBytes(dir) };
}

function makeInfo(
  name: string,
  d: DetectedModel,
  meta: ZooMeta,
  dir: string,
  builtin: boolean,
  bytes: number,
  source: string,
): ZooInfo {
  if (d.format === "keras-h5-weights+architecture" && !meta.architecture) throw weightsOnlyError(source);
  const declared = d.inputSize && d.inputSize[0] > 0 ? d.inputSize : undefined;
  const inputSize = meta.inputSize ?? declared;
  if (!inputSize) {
    throw new StrataError(
      `${source}: the model does not declare an image input size; pass meta.inputSize [height, width]`,
    );
  }
  return {
    name,
    format: d.format,
    description: meta.description ?? `${d.format} model from ${source}`,
    trainedOn: meta.trainedOn ?? "unknown",
    inputSize: [inputSize[0], inputSize[1]],
    preprocessing: meta.preprocessing ?? { channelOrder: "rgb", scaling: { kind: "divide", by: 255 } },
    ...(meta.labels ? { labels: meta.labels } : {}),
    output: meta.output ?? "probabilities",
    license: meta.license ?? "unknown",
    source: meta.source ?? source,
    ...(meta.architecture ? { architecture: meta.architecture } : {}),
    ...(meta.cut ? { cut: meta.cut } : {}),
    fullyConvolutional: meta.fullyConvolutional ?? d.fullyConvolutional ?? false,
    params: d.params,
    bytes,
    builtin,
    dir,
    file: d.file,
  };
}

function resolveLabelFile(file: string, modelDir: string): string {
  const candidates = isAbsolute(file) ? [file] : [join(modelDir, file), resolve(file)];
  const found = candidates.find((f) => existsSync(f));
  if (!found) throw new StrataError(`${file}: label file not found (looked in ${candidates.join(" and ")})`);
  return found;
}

/** The model's files (keeping shard sub-folders) and its LICENSE/PROVENANCE/README neighbours. */
async function copyModelFiles(d: DetectedModel, tmp: string): Promise<void> {
  const extras = (await readdir(d.dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && EXTRAS.test(e.name))
    .map((e) => e.name);
  for (const f of new Set([...d.files, ...extras])) {
    await mkdir(dirname(join(tmp, f)), { recursive: true });
    await copyFile(join(d.dir, f), join(tmp, f));
  }
}
