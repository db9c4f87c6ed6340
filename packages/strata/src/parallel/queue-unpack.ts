import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deserialize } from "node:v8";
import type { Redis } from "ioredis";
import type { KindResolver } from "../estimators/descriptor.js";
import type { Params, ParamValue } from "../util/params.js";
import type { MemberJob } from "./job.js";
import { BLOB_HASH, IMAGE_NAME, type QueuedJob } from "./queue-protocol.js";
import type { WireInput, WireLabelled } from "./wire.js";

/** A job a worker will not run: its data is not what strata sends (its message says what). */
export class RefusedJob extends Error {
  override name = "RefusedJob";
}

/**
 * Checks a job taken from the queue before anything of it is used: plain data of the expected
 * shape, a kind that is a strata estimator (members of an ensemble too), and no path anywhere
 * (a job's inputs are blobs; an image is named by its hash and read from the worker's cache).
 */
export function checkQueuedJob(data: unknown, kinds: KindResolver): QueuedJob {
  const job = data as QueuedJob;
  const ok =
    typeof job === "object" &&
    job !== null &&
    typeof job.label === "string" &&
    Array.isArray(job.classes) &&
    job.classes.every((c) => typeof c === "string") &&
    typeof job.keepModel === "boolean" &&
    typeof job.fitOptions === "object" &&
    job.fitOptions !== null &&
    typeof job.train === "string" &&
    BLOB_HASH.test(job.train) &&
    (job.predict === undefined || (typeof job.predict === "string" && BLOB_HASH.test(job.predict))) &&
    Array.isArray(job.images) &&
    job.images.every((n) => typeof n === "string" && IMAGE_NAME.test(n));
  if (!ok) throw new RefusedJob("not a strata job (its data has another shape)");
  checkSpec(job.spec, kinds);
  const path = findPath(job.fitOptions, "fit options");
  if (path) throw new RefusedJob(`a path in its ${path}: a job carries its data, never a path`);
  return job;
}

function checkSpec(spec: unknown, kinds: KindResolver): void {
  const s = spec as { kind?: unknown; params?: unknown };
  if (typeof s !== "object" || s === null || typeof s.kind !== "string")
    throw new RefusedJob("its estimator has no kind");
  if (!kinds.names().includes(s.kind)) throw new RefusedJob(`"${s.kind}" is not a strata estimator`);
  if (s.params !== undefined && (typeof s.params !== "object" || s.params === null))
    throw new RefusedJob(`the params of "${s.kind}" are not an object`);
  const members = (s.params as { members?: unknown } | undefined)?.members;
  if (Array.isArray(members)) for (const m of members) checkSpec(m, kinds);
  const path = findPath(s.params as Params | undefined, `"${s.kind}" params`);
  if (path) throw new RefusedJob(`a path in its ${path}: a worker reads only what the job carries`);
}

/** Where a string that looks like a file path sits in `value`, if anywhere. */
function findPath(value: ParamValue | undefined, where: string): string | undefined {
  if (typeof value === "string") return /[/\\]|^[.~]/.test(value) ? `${where} ("${value}")` : undefined;
  if (Array.isArray(value)) {
    for (const v of value) {
      const found = findPath(v, where);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === "object")
    for (const [key, v] of Object.entries(value)) {
      // Member specs are checked as specs; their kinds are names, not paths.
      const found = findPath(v, `${where}.${key}`);
      if (found) return found;
    }
  return undefined;
}

/**
 * A worker's copy of what jobs name: image files on disk under `dir` (named by hash, so a name
 * is its content) and rows decoded per job. Each blob is fetched from Redis once per worker.
 */
export class BlobCache {
  private readonly fetched = new Set<string>();

  constructor(
    private readonly client: Redis,
    readonly dir: string,
  ) {}

  /** The job as the job runner takes it, its images in this cache. */
  async memberJob(job: QueuedJob, blobsKey: string, threads: number): Promise<MemberJob> {
    await mkdir(this.dir, { recursive: true });
    for (const name of job.images) await this.image(name, blobsKey);
    const train = this.toLocal(await this.blob(job.train, blobsKey), true) as WireLabelled;
    const predict = job.predict
      ? (this.toLocal(await this.blob(job.predict, blobsKey), false) as WireInput)
      : undefined;
    return {
      label: job.label,
      spec: job.spec,
      classes: job.classes,
      train,
      ...(predict ? { predict } : {}),
      ...(job.readable ? { readable: true } : {}),
      // The worker's threads; the disk cache of decoded images is the job's own, here.
      fitOptions: { ...job.fitOptions, threads, cacheDir: join(this.dir, "decoded") },
      keepModel: job.keepModel,
    };
  }

  private async blob(hash: string, blobsKey: string): Promise<unknown> {
    const data = await this.client.hgetBuffer(blobsKey, hash);
    if (!data) throw new RefusedJob(`its data (${hash.slice(0, 12)}…) is not in Redis: the run has ended`);
    return deserialize(data);
  }

  private async image(name: string, blobsKey: string): Promise<void> {
    const path = join(this.dir, name);
    if (this.fetched.has(name)) return;
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (!exists) {
      const data = await this.client.hgetBuffer(blobsKey, name.slice(0, 64));
      if (!data) throw new RefusedJob(`image ${name.slice(0, 12)}… is not in Redis: the run has ended`);
      // Written beside and renamed: a job never sees half a file.
      const partial = `${path}.${process.pid}.part`;
      await writeFile(partial, data);
      await rename(partial, path);
    }
    this.fetched.add(name);
  }

  /** A decoded input with its image names checked and turned into this cache's paths. */
  private toLocal(value: unknown, labelled: boolean): WireLabelled | WireInput {
    const x = (labelled ? (value as WireLabelled)?.x : value) as WireInput | undefined;
    if (!x || (x.kind !== "table" && x.kind !== "images"))
      throw new RefusedJob("its inputs have another shape");
    if (labelled) {
      const y = (value as WireLabelled).y;
      if (!Array.isArray(y)) throw new RefusedJob("its labels are not a list");
    }
    if (x.kind === "table") return value as WireLabelled | WireInput;
    if (!Array.isArray(x.files) || !x.files.every((f) => typeof f === "string" && IMAGE_NAME.test(f)))
      throw new RefusedJob("an image named by a path, not by its hash: outside the worker's cache");
    const local: WireInput = { kind: "images", files: x.files.map((f) => join(this.dir, f)) };
    return labelled ? { ...(value as WireLabelled), x: local } : local;
  }
}
