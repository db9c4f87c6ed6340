import { runQueueWorker } from "../parallel/queue-worker.js";

export interface WorkerCommandOptions {
  queue: string;
  concurrency: number;
  threads: number;
  lockSeconds: number;
  name?: string;
  quiet?: boolean;
}

/**
 * `strata worker --queue redis://HOST:PORT`: runs strata jobs from the queue until SIGINT or
 * SIGTERM, one line per job on stderr. On a signal the jobs running here are stopped and BullMQ
 * hands them to other workers once their lock lapses (--lock-seconds).
 */
export async function workerCommand(o: WorkerCommandOptions): Promise<void> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(signal === "SIGINT" ? 130 : 143);
    if (!o.quiet) process.stderr.write(`strata worker: ${signal}: stopping\n`);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await runQueueWorker({
      queue: o.queue,
      concurrency: o.concurrency,
      threads: o.threads,
      lockSeconds: o.lockSeconds,
      name: o.name,
      signal: stop.signal,
      log: o.quiet ? undefined : (line) => process.stderr.write(`strata worker: ${line}\n`),
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
