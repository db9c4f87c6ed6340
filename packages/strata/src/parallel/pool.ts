import type { ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { StrataError } from "../errors.js";
import type { KindResolver } from "../estimators/descriptor.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import {
  type JobMessage,
  type LocalOutcome,
  type MemberJob,
  type MemberJobResult,
  type ModelFiles,
  type ReplyMessage,
  runJobHere,
} from "./job.js";
import type { QueueRunOptions } from "./queue-submit.js";
import { acquireWorker, killWorker, releaseWorker } from "./workers.js";

/** Progress: one job finished. */
export interface JobEvent {
  readonly label: string;
  /** Jobs finished so far, this one included, and in all. */
  readonly done: number;
  readonly total: number;
  /** The member's own fit seconds. */
  readonly seconds: number;
  /** With a queue: the worker that ran it (host:pid, or the name it was given). */
  readonly worker?: string;
}

export interface RunJobsOptions {
  /**
   * Jobs at once, each in its own child process; 1 runs them one after another in this process.
   * Default: the number of cores.
   */
  readonly jobs?: number;
  /** Threads each child process gives libtorch and OpenMP (XGBoost); default 1. */
  readonly threads?: number;
  readonly onJob?: (event: JobEvent) => void;
  /**
   * Send the jobs to `strata worker` processes through a Redis queue instead (queue-submit.ts);
   * `jobs` and `threads` are then the workers' own.
   */
  readonly queue?: QueueRunOptions;
}

/**
 * Runs independent member jobs and returns their outcomes in the jobs' order (a kept model as a
 * fitted estimator in this process). With `jobs` > 1, up to that many child processes run them
 * (child_process.fork, messages only), each with its own TF.js backend and `threads` threads;
 * otherwise this process runs them one after another. Both give the same results. The first
 * failure stops the others and is thrown, naming its job.
 *
 * `kinds` makes the models in this process: those of the jobs it runs itself, and the kept
 * models a worker sends back. A worker process makes its models from the built-in kinds.
 */
export async function runJobs(
  jobs: readonly MemberJob[],
  kinds: KindResolver,
  options: RunJobsOptions = {},
): Promise<LocalOutcome[]> {
  const parallel = Math.min(options.jobs ?? availableParallelism(), jobs.length);
  if (!(Number.isInteger(parallel) && parallel >= 1) && jobs.length > 0)
    throw new StrataError(`the jobs option must be an integer >= 1, got ${options.jobs}`);
  const total = jobs.length;
  let done = 0;
  const report = (job: MemberJob, result: MemberJobResult, worker?: string) =>
    options.onJob?.({
      label: job.label,
      done: ++done,
      total,
      seconds: result.summary.seconds,
      ...(worker ? { worker } : {}),
    });
  if (options.queue && jobs.length > 0) {
    // Loaded on use: BullMQ and its Redis client are not needed by local runs.
    const { runOnQueue } = await import("./queue-submit.js");
    return materializeAll(await runOnQueue(jobs, options.queue, report), kinds);
  }
  if (parallel <= 1) {
    const outcomes: LocalOutcome[] = [];
    try {
      for (const job of jobs) {
        const outcome = await runJobHere(job, kinds);
        outcomes.push(outcome);
        report(job, outcome.result);
      }
    } catch (e) {
      for (const o of outcomes) o.model?.dispose();
      throw e;
    }
    return outcomes;
  }
  return materializeAll(await runInWorkers(jobs, parallel, options.threads ?? 1, report), kinds);
}

/** Results from other processes, each kept model made a fitted estimator here. */
async function materializeAll(
  results: readonly MemberJobResult[],
  kinds: KindResolver,
): Promise<LocalOutcome[]> {
  const outcomes: LocalOutcome[] = [];
  try {
    for (const result of results) {
      const { files, ...rest } = result;
      outcomes.push({ result: rest, model: files ? await materialize(files, kinds) : undefined });
    }
  } catch (e) {
    for (const o of outcomes) o.model?.dispose();
    throw e;
  }
  return outcomes;
}

function runInWorkers(
  jobs: readonly MemberJob[],
  parallel: number,
  threads: number,
  report: (job: MemberJob, result: MemberJobResult) => void,
): Promise<MemberJobResult[]> {
  return new Promise((resolve, reject) => {
    const results: MemberJobResult[] = new Array(jobs.length);
    const slots: { worker: ChildProcess; job?: number }[] = [];
    let next = 0;
    let finished = 0;
    let failed = false;
    // After a failure the busy workers finish their job (a worker cannot be interrupted without
    // killing it) and are then kept for the next run; meanwhile they do not keep this process alive.
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const s of slots) {
        s.worker.unref();
        s.worker.channel?.unref();
      }
      reject(error);
    };
    /** Sends the next job to the slot's worker, or gives the worker back when there is none. */
    const feed = (slot: (typeof slots)[number]) => {
      slot.job = undefined;
      if (failed || next >= jobs.length) {
        releaseWorker(slot.worker, threads);
        return;
      }
      const id = next++;
      slot.job = id;
      // Members in a worker use its threads (XGBoost's nthread too) unless the job says otherwise.
      const job = { ...jobs[id], fitOptions: { threads, ...jobs[id].fitOptions } };
      slot.worker.send({ id, job } satisfies JobMessage, (e) => {
        if (e) fail(new Error(`${jobs[id].label}: could not send the job to a worker process: ${e.message}`));
      });
    };
    for (let w = 0; w < parallel; w++) {
      const slot: (typeof slots)[number] = { worker: acquireWorker(threads) };
      slots.push(slot);
      slot.worker.on("message", (reply: ReplyMessage) => {
        if ("error" in reply) {
          const { name, message, params } = reply.error;
          fail(name === "StrataError" ? new StrataError(message, { params }) : new Error(message));
        } else if (!failed) {
          results[reply.id] = reply.result;
          report(jobs[reply.id], reply.result);
          if (++finished === jobs.length) resolve(results);
        }
        feed(slot);
      });
      slot.worker.on("error", (e) => {
        killWorker(slot.worker);
        fail(new Error(`a worker process failed: ${e.message}`));
      });
      slot.worker.on("exit", (code, signal) => {
        if (slot.job !== undefined)
          fail(
            new Error(
              `${jobs[slot.job].label}: its worker process ended (${signal ?? `exit code ${code}`}) before finishing`,
            ),
          );
      });
      feed(slot);
    }
  });
}

/** A fitted member from the files of its model directory (sent by a worker). */
async function materialize(files: ModelFiles, kinds: KindResolver): Promise<AnyClassifier> {
  const dir = await mkdtemp(join(tmpdir(), "strata-member-"));
  try {
    for (const f of files) {
      const path = join(dir, f.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, f.data);
    }
    return await kinds.load(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
