import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, normalize, posix } from "node:path";
import { StrataError } from "../../errors.js";
import { firstLine } from "../formats/message.js";
import { addZooModel } from "./registry.js";
import type { ZooInfo, ZooMeta } from "./types.js";

/** A fetch function (the global one by default; tests pass their own to stay offline). */
export type Fetcher = (url: string) => Promise<Response>;

/**
 * Downloads a model from an `https://` URL into the zoo cache under `name`: a TF.js layers
 * model.json (its weight shards are fetched relative to it), a Keras .h5 or a .keras archive.
 * The download goes to a temp folder first, then through {@link addZooModel} (checked, atomic),
 * so a failed download leaves the cache as it was. A relative `meta.labels.file` is fetched too.
 */
export async function addZooModelFromUrl(
  name: string,
  url: string,
  meta: ZooMeta = {},
  fetcher: Fetcher = (u) => fetch(u),
): Promise<ZooInfo> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StrataError(`${url}: not a URL`);
  }
  if (parsed.protocol !== "https:") throw new StrataError(`${url}: only https:// URLs are downloaded`);
  const fileName = posix.basename(parsed.pathname);
  const staging = await mkdtemp(join(tmpdir(), "strata-download-"));
  try {
    const get = async (relative: string) => download(new URL(relative, parsed).href, fetcher);
    const put = async (relative: string, bytes: Uint8Array) => {
      const target = safeJoin(staging, relative, url);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, bytes);
    };
    if (fileName.endsWith(".json")) {
      const bytes = await get(fileName);
      await put(fileName, bytes);
      for (const shard of shardPaths(bytes, url)) await put(shard, await get(shard));
    } else if (/\.(h5|hdf5|keras)$/i.test(fileName)) {
      await put(fileName, await get(fileName));
    } else {
      throw new StrataError(
        `${url}: cannot tell the model's format; expected a URL ending in .json (TF.js), .h5 or .keras`,
      );
    }
    const labels = meta.labels?.file;
    if (labels && !isAbsolute(labels)) await put(labels, await get(labels));
    return await addZooModel(name, join(staging, fileName), { source: url, ...meta });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function download(url: string, fetcher: Fetcher): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetcher(url);
  } catch (e) {
    throw new StrataError(`${url}: download failed (${firstLine(e)})`);
  }
  if (!res.ok) throw new StrataError(`${url}: download failed (HTTP ${res.status})`);
  return new Uint8Array(await res.arrayBuffer());
}

function shardPaths(modelJson: Uint8Array, url: string): string[] {
  try {
    const json = JSON.parse(new TextDecoder().decode(modelJson)) as {
      weightsManifest?: { paths?: string[] }[];
    };
    return (json.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
  } catch {
    throw new StrataError(`${url}: not a TF.js model.json (not JSON)`);
  }
}

/** A path inside `root`; a manifest path that climbs out of it (../) is refused. */
function safeJoin(root: string, relative: string, url: string): string {
  const clean = normalize(relative);
  if (isAbsolute(clean) || clean.startsWith(".."))
    throw new StrataError(`${url}: refusing file path "${relative}" outside the model`);
  return join(root, clean);
}
