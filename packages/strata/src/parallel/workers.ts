import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { PARENT_ENV, WARM_ENV } from "./watchdog.js";

/**
 * Child processes that run member jobs (worker.ts), kept warm between runs: starting one costs
 * seconds (Node, TF.js, libtorch), as much as a small member's fit, and a cross-validated
 * ensemble fits one ensemble per fold. An idle worker does not keep this process alive, and
 * leaves when this process exits (its IPC channel closes) or after IDLE_MS unused.
 *
 * A busy worker may hold its thread for long (a native fit), and would notice this process's
 * end only when its job is done: so every worker is killed when this process exits, however it
 * exits (the CLI's SIGINT and SIGTERM handlers call process.exit), and a worker whose parent was
 * killed with -9 ends itself (watchdog.ts).
 */
const IDLE_MS = 30_000;

interface Idle {
  readonly worker: ChildProcess;
  readonly timer: NodeJS.Timeout;
}

/** Idle workers by thread count (a worker's threads are fixed when it starts). */
const idle = new Map<number, Idle[]>();

/** Every worker started and not yet exited. */
const live = new Set<ChildProcess>();

/** Kills every live worker (synchronously, as an 'exit' listener must). */
function killAll(): void {
  for (const worker of live) worker.kill("SIGKILL");
  live.clear();
}

/** A worker with `threads` threads for libtorch and OpenMP: an idle one if there is one, else a new one. */
export function acquireWorker(threads: number): ChildProcess {
  const list = idle.get(threads) ?? [];
  while (list.length > 0) {
    const { worker, timer } = list.pop()!;
    clearTimeout(timer);
    if (!worker.connected) continue;
    worker.removeAllListeners("error");
    worker.ref();
    worker.channel?.ref();
    return worker;
  }
  return spawnWorker(threads);
}

/** Gives a worker that finished its jobs back, to be reused or to leave after a while. */
export function releaseWorker(worker: ChildProcess, threads: number): void {
  worker.removeAllListeners("message");
  worker.removeAllListeners("error");
  worker.removeAllListeners("exit");
  // An idle worker's failure is nobody's concern (the next run starts another), but must not throw.
  worker.on("error", () => {});
  if (!worker.connected) return;
  worker.unref();
  worker.channel?.unref();
  const list = idle.get(threads) ?? [];
  idle.set(threads, list);
  const timer = setTimeout(() => {
    const i = list.findIndex((e) => e.worker === worker);
    if (i >= 0) list.splice(i, 1);
    if (worker.connected) worker.disconnect();
  }, IDLE_MS);
  timer.unref();
  list.push({ worker, timer });
  worker.once("exit", () => {
    const i = list.findIndex((e) => e.worker === worker);
    if (i >= 0) {
      clearTimeout(list[i].timer);
      list.splice(i, 1);
    }
  });
}

/** Ends a worker at once (after a failure, its state is unknown). */
export function killWorker(worker: ChildProcess): void {
  worker.removeAllListeners("message");
  worker.removeAllListeners("exit");
  if (worker.connected) worker.disconnect();
  worker.kill();
}

/** Ends every idle worker now (they would leave on their own; this frees their memory at once). */
export function closeIdleWorkers(): void {
  for (const list of idle.values())
    for (const { worker, timer } of list.splice(0)) {
      clearTimeout(timer);
      if (worker.connected) worker.disconnect();
    }
}

/** The worker script beside this file: worker.js when compiled, worker.ts when run from source (tsx). */
function workerFile(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith(".ts") ? "./worker.ts" : "./worker.js", here));
}

/**
 * A new worker process with `threads` threads, not from the idle ones (a queue worker runs each
 * job in a fresh one, started ahead of it, so it loads the TF.js backend at once). It is killed
 * when this process exits, as every worker.
 */
export function startWorkerProcess(threads: number): ChildProcess {
  return spawnWorker(threads, { [WARM_ENV]: "1" });
}

function spawnWorker(threads: number, extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...extraEnv,
    TBT_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    [PARENT_ENV]: String(process.pid),
  };
  // Set by node --test for its own children; a worker is not one.
  delete env.NODE_TEST_CONTEXT;
  const worker = fork(workerFile(), [], {
    env,
    // The parent's loader flags (tsx from source) carry over; a debugger port would clash.
    execArgv: process.execArgv.filter((a) => !a.startsWith("--inspect")),
    serialization: "advanced",
    // A worker's stdout goes to our stderr: stdout may be the CLI's --json line.
    stdio: ["ignore", 2, 2, "ipc"],
  });
  if (live.size === 0) process.once("exit", killAll);
  live.add(worker);
  worker.once("exit", () => {
    live.delete(worker);
    if (live.size === 0) process.off("exit", killAll);
  });
  return worker;
}
