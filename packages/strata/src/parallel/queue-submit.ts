import { randomBytes } from "node:crypto";
import { deserialize } from "node:v8";
import { Queue, QueueEvents } from "bullmq";
import type { Redis } from "ioredis";
import { StrataError } from "../errors.js";
import { cleanupOnInterrupt } from "../util/interrupt-cleanup.js";
import type { MemberJob, MemberJobResult } from "./job.js";
import { DEFAULT_MAX_DATA_BYTES, type PackedRun, packJobs } from "./queue-pack.js";
import {
  ALIVE_TTL_MS,
  HEARTBEAT_MS,
  type JobEnvelope,
  QUEUE_PREFIX,
  RUNS_CHANNEL,
  RUNS_KEY,
  runKeys,
  runMessage,
} from "./queue-protocol.js";
import { connectRedis, deleteMatching, watchRedis } from "./queue-redis.js";
import { parseQueueUrl } from "./queue-url.js";

/** Where and how a run's jobs go to `strata worker` processes instead of local ones. */
export interface QueueRunOptions {
  /** redis://HOST:PORT[/DB] or rediss://… (a password in the URL is never printed). */
  readonly url: string;
  /** The most data (rows, image bytes) the run may put in Redis; default 1 GiB. */
  readonly maxDataBytes?: number;
  /** Tries per job before the run fails naming it; default 3. */
  readonly attempts?: number;
}

/** Upload pipelines of about this many bytes each. */
const UPLOAD_CHUNK_BYTES = 32 * 1024 ** 2;

/**
 * Runs jobs through a BullMQ queue on Redis, as the local pool runs them in child processes:
 * the results come back in the jobs' order, `report` is called as each finishes (with the
 * worker that ran it), and the first job that fails on every try fails the run, naming it.
 * Everything the run puts in Redis (its data, its queue, its results) is keyed by its run id and
 * deleted when it ends, however it ends: finished, failed, interrupted (SIGINT/SIGTERM through
 * the CLI), or killed (its heartbeat lapses and the workers delete it).
 */
export async function runOnQueue(
  jobs: readonly MemberJob[],
  options: QueueRunOptions,
  report: (job: MemberJob, result: MemberJobResult, worker: string) => void,
): Promise<MemberJobResult[]> {
  const address = parseQueueUrl(options.url);
  const packed = await packJobs(jobs, options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES);
  const client = await connectRedis(address);
  const runId = randomBytes(8).toString("hex");
  const keys = runKeys(runId);
  // QueueEvents blocks on its connection (XREAD), so it gets its own; "0-0": the run's stream from its start.
  const eventsConnection = client.duplicate();
  const events = new QueueEvents(runId, {
    connection: eventsConnection,
    prefix: QUEUE_PREFIX,
    lastEventId: "0-0",
  });
  const queue = new Queue(runId, { connection: client, prefix: QUEUE_PREFIX });
  events.on("error", () => {});
  queue.on("error", () => {});
  let lost: ((e: Error) => void) | undefined;
  let started = false;
  // The first renewal creates the heartbeat; later ones only extend it (XX): if it lapsed (this
  // process stalled past the TTL), the workers have dropped the run, and waiting would be forever.
  const renew = async () => {
    const alive = started
      ? client.set(keys.alive, "1", "PX", ALIVE_TTL_MS, "XX")
      : client.set(keys.alive, "1", "PX", ALIVE_TTL_MS);
    started = true;
    const [set] = await Promise.all([
      alive,
      client.pexpire(keys.blobs, ALIVE_TTL_MS),
      client.pexpire(keys.results, ALIVE_TTL_MS),
    ]).catch(() => ["OK"]);
    if (set === null)
      lost?.(
        new StrataError(
          `--queue: this run's heartbeat in Redis lapsed (the process was stalled over ${ALIVE_TTL_MS / 1000} s), so the workers dropped it; run it again`,
        ),
      );
  };
  let teardown: Promise<void> | undefined;
  const end = () => {
    teardown ??= (async () => {
      clearInterval(heartbeat);
      stopWatch();
      removeCleanup();
      // First what makes workers stop this run's jobs, then the rest of its keys.
      await client
        .multi()
        .del(keys.alive)
        .srem(RUNS_KEY, runId)
        .publish(RUNS_CHANNEL, runMessage("end", runId))
        .exec()
        .catch(() => {});
      await queue.obliterate({ force: true }).catch(() => {});
      await deleteMatching(client, keys.pattern).catch(() => {});
      await events.close().catch(() => {});
      await queue.close().catch(() => {});
      eventsConnection.disconnect();
      client.disconnect();
    })();
    return teardown;
  };
  const removeCleanup = cleanupOnInterrupt(end);
  const stopWatch = watchRedis(client, address, (line) => lost?.(new StrataError(`--queue: ${line}`)));
  const heartbeat = setInterval(renew, HEARTBEAT_MS);
  try {
    await renew();
    await upload(client, keys.blobs, packed);
    await renew();
    await events.waitUntilReady();
    const results = await new Promise<MemberJobResult[]>((resolve, reject) => {
      lost = reject;
      collect(jobs, client, events, keys.results, report, resolve, reject);
      queue
        .addBulk(
          packed.jobs.map((data, i) => ({
            name: data.label,
            data,
            opts: {
              jobId: `j${i}`,
              attempts: options.attempts ?? 3,
              removeOnComplete: true,
              removeOnFail: true,
            },
          })),
        )
        .then(() =>
          client.multi().sadd(RUNS_KEY, runId).publish(RUNS_CHANNEL, runMessage("start", runId)).exec(),
        )
        .catch((e: Error) =>
          reject(new StrataError(`--queue: could not add the jobs at ${address.shown}: ${e.message}`)),
        );
    });
    return results;
  } finally {
    await end();
  }
}

/** Puts the run's blobs in its hash, a few tens of MB per round trip. */
async function upload(client: Redis, key: string, packed: PackedRun): Promise<void> {
  let pipeline = client.pipeline();
  let bytes = 0;
  for (const [hash, data] of packed.blobs) {
    pipeline.hset(key, hash, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    bytes += data.byteLength;
    if (bytes >= UPLOAD_CHUNK_BYTES) {
      await pipeline.exec();
      pipeline = client.pipeline();
      bytes = 0;
    }
  }
  await pipeline.exec();
  await client.pexpire(key, ALIVE_TTL_MS);
}

/** Listens for the run's jobs finishing: resolves with every result, or rejects at the first final failure. */
function collect(
  jobs: readonly MemberJob[],
  client: Redis,
  events: QueueEvents,
  resultsKey: string,
  report: (job: MemberJob, result: MemberJobResult, worker: string) => void,
  resolve: (results: MemberJobResult[]) => void,
  reject: (e: Error) => void,
): void {
  const results: MemberJobResult[] = new Array(jobs.length);
  const done = new Set<number>();
  let failed = false;
  const index = (jobId: string) => Number(jobId.slice(1));
  const envelope = async (jobId: string): Promise<JobEnvelope | undefined> => {
    const data = await client.hgetBuffer(resultsKey, jobId);
    if (!data) return undefined;
    await client.hdel(resultsKey, jobId);
    return deserialize(data) as JobEnvelope;
  };
  const fail = (e: Error) => {
    if (failed) return;
    failed = true;
    reject(e);
  };
  events.on("completed", ({ jobId }) => {
    const i = index(jobId);
    if (failed || done.has(i) || !(i >= 0 && i < jobs.length)) return;
    envelope(jobId)
      .then((env) => {
        if (!env || !("result" in env)) throw new Error(`${jobs[i].label}: its worker left no result`);
        done.add(i);
        results[i] = env.result as MemberJobResult;
        report(jobs[i], results[i], env.worker);
        if (done.size === jobs.length) resolve(results);
      })
      .catch(fail);
  });
  events.on("failed", ({ jobId, failedReason }) => {
    const i = index(jobId);
    if (failed || !(i >= 0 && i < jobs.length)) return;
    envelope(jobId)
      .then((env) => {
        if (env && "error" in env) {
          const { name, message, params } = env.error;
          // A refused job (its data, its kind) is about this run's input, not a fault of strata's.
          const user = name === "StrataError" || name === "RefusedJob";
          fail(user ? new StrataError(message, { params }) : new Error(message));
        } else fail(new Error(`${jobs[i].label}: ${failedReason}`));
      })
      .catch(fail);
  });
}
