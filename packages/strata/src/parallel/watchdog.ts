import { Worker } from "node:worker_threads";

/** The environment variable by which the pool tells a worker process its parent's PID. */
export const PARENT_ENV = "STRATA_WORKER_PARENT";

/** Set to "1" for a worker process started ahead of its job: it loads the TF.js backend at once. */
export const WARM_ENV = "STRATA_WORKER_WARM";

/**
 * A worker thread's code (plain CommonJS, evaluated: no loader or build step involved): every
 * `every` ms it compares this process's parent with the one it was started by, and when they
 * differ (the parent died and the process was re-parented), ends the process.
 */
const WATCH = `
const { workerData } = require("node:worker_threads");
setInterval(() => {
  if (process.ppid !== workerData.parent) process.kill(process.pid, "SIGKILL");
}, workerData.every);
`;

/**
 * Ends this process within `everyMs` of its parent's death, even while its main thread is held
 * by a long native call (an XGBoost fit runs as one): the IPC channel's 'disconnect' event is
 * only seen when the main thread is free, and a parent killed with -9 cannot end its children.
 * The check runs on a thread of its own, so it answers whatever the main thread is doing; that
 * thread does not keep the process alive.
 */
export function exitWithParent(parent: number, everyMs = 200): void {
  if (process.ppid !== parent) process.kill(process.pid, "SIGKILL");
  const thread = new Worker(WATCH, {
    eval: true,
    workerData: { parent, every: everyMs },
    // Not the parent's loader flags (tsx): the code above needs none.
    execArgv: [],
    stdout: false,
    stderr: false,
  });
  thread.unref();
}
