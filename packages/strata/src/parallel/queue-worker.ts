import { mkdtemp, readdir, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { serialize } from "node:v8";
import { type Job, UnrecoverableError, Worker } from "bullmq";
import { StrataError } from "../errors.js";
import { builtInKinds } from "../estimators/built-in-kinds.js";
import { isRunning } from "../util/running.js";
import { FreshChildren, runInFreshChild } from "./queue-child.js";
import {
  HEARTBEAT_MS,
  type JobEnvelope,
  parseRunMessage,
  QUEUE_PREFIX,
  RUN_ID,
  RUNS_CHANNEL,
  RUNS_KEY,
  runKeys,
} from "./queue-protocol.js";
import { connectRedis, deleteMatching, watchRedis } from "./queue-redis.js";
import { BlobCache, checkQueuedJob, RefusedJob } from "./queue-unpack.js";
import { parseQueueUrl } from "./queue-url.js";
import { Slots } from "./slots.js";

export interface QueueWorkerOptions {
  /** redis://HOST:PORT[/DB] or rediss://…, as the submitting runs were given. */
  readonly queue: string;
  /** Jobs at once, each in its own process; default 1. */
  readonly concurrency?: number;
  /** Threads each job's process gives libtorch and OpenMP (XGBoost); default 1. */
  readonly threads?: number;
  /**
   * Seconds a job's lock lasts without renewal: a worker that dies mid-job has its job handed
   * to another worker after about this long (BullMQ's stalled-job check). Default 10.
   */
  readonly lockSeconds?: number;
  /** How this worker names itself in its lines and to the submitters; default host:pid. */
  readonly name?: string;
  /** One line per event (a run seen, a job done or failed). */
  readonly log?: (line: string) => void;
  /** Stops the worker: running jobs' processes are killed, and BullMQ hands their jobs to other workers. */
  readonly signal?: AbortSignal;
}

/** A worker's cache folder: strata-worker-<pid>-<random>, in the system's temp folder. */
const CACHE_PREFIX = "strata-worker-";
const CACHE_NAME = /^strata-worker-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Removes the cache folders of workers that were killed (SIGKILL leaves no time to): those named
 * as this worker names its own, whose process no longer runs. They hold rows of past runs.
 */
async function removeOrphanCaches(): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(tmpdir()).catch(() => [] as string[])) {
    const pid = Number(CACHE_NAME.exec(name)?.[1]);
    if (!pid || isRunning(pid)) continue;
    // Another user's (not ours to remove) stays.
    const gone = await rm(join(tmpdir(), name), { recursive: true, force: true }).then(
      () => true,
      () => false,
    );
    if (gone) removed.push(join(tmpdir(), name));
  }
  return removed;
}

/** A run this worker takes jobs of. */
interface Attached {
  readonly worker: Worker;
}

/**
 * `strata worker`: takes strata jobs from every run on the Redis queue, runs each in a fresh
 * child process and leaves its result in Redis for the submitter. Runs until `signal` aborts
 * (resolves) or Redis goes away (rejects with one line naming the URL). A job that fails or is
 * refused is reported to its run; the worker goes on.
 */
export async function runQueueWorker(options: QueueWorkerOptions): Promise<void> {
  const address = parseQueueUrl(options.queue);
  const concurrency = options.concurrency ?? 1;
  const threads = options.threads ?? 1;
  const lockMs = Math.round((options.lockSeconds ?? 10) * 1000);
  for (const [flag, v] of [
    ["--concurrency", concurrency],
    ["--threads", threads],
  ] as const)
    if (!(Number.isInteger(v) && v >= 1)) throw new StrataError(`${flag} must be an integer >= 1, got ${v}`);
  if (!(lockMs >= 1000))
    throw new StrataError(`--lock-seconds must be at least 1, got ${options.lockSeconds}`);
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => {});
  const client = await connectRedis(address);
  const subscriber = client.duplicate();
  for (const dir of await removeOrphanCaches()) log(`removed the cache a killed worker left: ${dir}`);
  const cacheDir = await mkdtemp(join(tmpdir(), `${CACHE_PREFIX}${process.pid}-`));
  const cache = new BlobCache(client, cacheDir);
  const slots = new Slots(concurrency);
  const children = new FreshChildren(threads);
  children.prepare();
  const runs = new Map<string, Attached>();

  const processor = async (job: Job, _token: string | undefined, signal: AbortSignal | undefined) => {
    const runId = job.queueName;
    const keys = runKeys(runId);
    const abort = signal ?? new AbortController().signal;
    await slots.acquire();
    const started = performance.now();
    let label = `job ${job.id}`;
    try {
      if (!(await client.exists(keys.alive))) throw new RefusedJob("its run has ended");
      const queued = checkQueuedJob(job.data, builtInKinds);
      label = queued.label;
      log(`${runId} ${label}: started`);
      const member = await cache.memberJob(queued, keys.blobs, threads);
      const result = await runInFreshChild(member, children, abort);
      const seconds = (performance.now() - started) / 1000;
      const envelope: JobEnvelope = { worker: name, seconds, result };
      await client.hset(keys.results, String(job.id), serialize(envelope));
      log(`${runId} ${label}: done in ${seconds.toFixed(1)} s`);
      return "done";
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      if (abort.aborted) {
        log(`${runId} ${label}: stopped (${error.message})`);
        throw new UnrecoverableError(error.message);
      }
      // The job's input or params (a StrataError) or its shape will not change on a retry.
      const final =
        error instanceof StrataError ||
        error instanceof RefusedJob ||
        job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      log(`${runId} ${label}: ${error instanceof RefusedJob ? "refused" : "failed"}: ${error.message}`);
      if (!final) throw error;
      const message =
        error instanceof RefusedJob ? `${label}: refused by worker ${name}: ${error.message}` : error.message;
      const params = error instanceof StrataError ? error.params : undefined;
      const envelope: JobEnvelope = { worker: name, error: { name: error.name, message, params } };
      await client.hset(keys.results, String(job.id), serialize(envelope)).catch(() => {});
      throw new UnrecoverableError(message);
    } finally {
      slots.release();
    }
  };

  const attach = async (runId: string) => {
    if (runs.has(runId) || !RUN_ID.test(runId)) return;
    if (!(await client.exists(runKeys(runId).alive))) {
      // Its submitter is gone (killed before it could say so): nobody will read its results.
      await forget(runId);
      return;
    }
    const worker = new Worker(runId, processor, {
      connection: client,
      prefix: QUEUE_PREFIX,
      concurrency,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 2,
    });
    // Connection trouble is watched on the client (watchRedis); a job's failure is reported above.
    worker.on("error", () => {});
    runs.set(runId, { worker });
    log(`run ${runId}: taking its jobs`);
  };

  /** Stops taking a run's jobs, kills those running, and deletes whatever of the run is left. */
  const forget = async (runId: string) => {
    const run = runs.get(runId);
    runs.delete(runId);
    if (run) {
      run.worker.cancelAllJobs("its run has ended");
      await run.worker.close();
    }
    // After the close: a closing BullMQ worker may still write a key of the run.
    await deleteMatching(client, runKeys(runId).pattern);
    await client.srem(RUNS_KEY, runId);
    if (run) log(`run ${runId}: ended`);
  };

  let failure: StrataError | undefined;
  let wake = () => {};
  const stopped = new Promise<void>((resolve) => {
    wake = resolve;
  });
  const stopWatch = watchRedis(client, address, (line) => {
    failure = new StrataError(`worker: ${line}`);
    wake();
  });
  const onAbort = () => wake();
  options.signal?.addEventListener("abort", onAbort);
  // Runs whose submitter died without a word: their heartbeat lapses.
  const heartbeat = setInterval(() => {
    for (const runId of runs.keys())
      client
        .exists(runKeys(runId).alive)
        .then((alive) => (alive ? undefined : forget(runId)))
        .catch(() => {});
  }, HEARTBEAT_MS);
  try {
    await subscriber.connect();
    subscriber.on("error", () => {});
    subscriber.on("message", (_channel: string, message: string) => {
      const m = parseRunMessage(message);
      if (m?.kind === "start") attach(m.runId).catch(() => {});
      else if (m) forget(m.runId).catch(() => {});
    });
    await subscriber.subscribe(RUNS_CHANNEL);
    for (const runId of await client.smembers(RUNS_KEY)) await attach(runId);
    log(
      `worker ${name} on ${address.shown}: ${concurrency} job${concurrency === 1 ? "" : "s"} at once, ${threads} thread${threads === 1 ? "" : "s"} each`,
    );
    if (!options.signal?.aborted) await stopped;
  } finally {
    clearInterval(heartbeat);
    children.close();
    options.signal?.removeEventListener("abort", onAbort);
    stopWatch();
    // Closing without waiting: a running job's process dies with this one, and its lock lapses.
    await Promise.all([...runs.values()].map((r) => r.worker.close(true).catch(() => {})));
    subscriber.disconnect();
    client.disconnect();
    await rm(cacheDir, { recursive: true, force: true });
  }
  if (failure) throw failure;
}
