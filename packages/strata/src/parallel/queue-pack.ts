import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { serialize } from "node:v8";
import { StrataError } from "../errors.js";
import type { Params } from "../util/params.js";
import type { MemberJob } from "./job.js";
import type { QueuedJob } from "./queue-protocol.js";
import type { WireInput, WireLabelled } from "./wire.js";

/** Default cap on one run's data in Redis (rows and image bytes, each counted once). */
export const DEFAULT_MAX_DATA_BYTES = 1024 ** 3;

/** A run's jobs as the queue carries them, and the blobs they name (to upload once each). */
export interface PackedRun {
  readonly jobs: readonly QueuedJob[];
  readonly blobs: ReadonlyMap<string, Uint8Array>;
  /** The blobs' bytes in all. */
  readonly bytes: number;
}

const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/**
 * Turns jobs into queue data: every distinct input (a fold's rows, shared by all the members
 * fitted on it; each image file) becomes one blob named by its content's hash, so a worker on
 * another machine needs no shared filesystem and nothing is stored twice. Image paths become
 * `<hash>.<ext>` names. Beyond `maxBytes` of data in all, one line says how much and the cap.
 */
export async function packJobs(
  jobs: readonly MemberJob[],
  maxBytes = DEFAULT_MAX_DATA_BYTES,
): Promise<PackedRun> {
  const blobs = new Map<string, Uint8Array>();
  let bytes = 0;
  const add = (data: Uint8Array): string => {
    const hash = sha256(data);
    if (!blobs.has(hash)) {
      blobs.set(hash, data);
      bytes += data.byteLength;
      if (bytes > maxBytes)
        throw new StrataError(
          `--queue: this run's data passes ${mib(maxBytes)} (Redis holds it in memory while the run lasts); leave out --queue to fit in local processes, or use fewer rows or images`,
        );
    }
    return hash;
  };
  // Image path → its name in the queue (each file read once).
  const imageNames = new Map<string, string>();
  const imageName = async (file: string): Promise<string> => {
    const known = imageNames.get(file);
    if (known) return known;
    let data: Uint8Array;
    try {
      data = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new StrataError(
        `${file}: cannot read the image to send it to the queue (${(e as Error).message})`,
      );
    }
    const ext = extname(file).slice(1);
    const name = `${add(data)}.${/^[A-Za-z0-9]{1,8}$/.test(ext) ? ext : "img"}`;
    imageNames.set(file, name);
    return name;
  };
  // The same wire object (a fold's rows) is packed once.
  const packed = new Map<object, { hash: string; images: string[] }>();
  const packInput = async (x: WireInput): Promise<{ x: WireInput; images: string[] }> => {
    if (x.kind === "table") return { x, images: [] };
    const names: string[] = [];
    for (const file of x.files) names.push(await imageName(file));
    return { x: { kind: "images", files: names }, images: names };
  };
  const blobOf = async (wire: WireLabelled | WireInput, labelled: boolean) => {
    const known = packed.get(wire);
    if (known) return known;
    const input = labelled ? (wire as WireLabelled).x : (wire as WireInput);
    const { x, images } = await packInput(input);
    const value = labelled ? { ...(wire as WireLabelled), x } : x;
    const entry = { hash: add(new Uint8Array(serialize(value))), images };
    packed.set(wire, entry);
    return entry;
  };
  const queued: QueuedJob[] = [];
  for (const job of jobs) {
    const train = await blobOf(job.train, true);
    const predict = job.predict ? await blobOf(job.predict, false) : undefined;
    queued.push({
      label: job.label,
      spec: job.spec,
      classes: job.classes,
      // A worker decodes images into its own cache; a path of this machine means nothing there.
      fitOptions: withoutCacheDir(job.fitOptions),
      keepModel: job.keepModel,
      ...(job.readable ? { readable: true } : {}),
      train: train.hash,
      ...(predict ? { predict: predict.hash } : {}),
      images: [...new Set([...train.images, ...(predict?.images ?? [])])],
    });
  }
  return { jobs: queued, blobs, bytes };
}

function withoutCacheDir(options: Params): Params {
  const { cacheDir: _ignored, ...rest } = options;
  return rest;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / 1024 ** 2)} MiB`;
}
