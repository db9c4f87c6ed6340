// A child process that runs member jobs for the pool (pool.ts): one job at a time, each a message
// in and a message out. It has its own TF.js backend; the pool sets its thread counts.

import { useBackend } from "../backend.js";
import { StrataError } from "../errors.js";
import { builtInKinds } from "../estimators/built-in-kinds.js";
import { exitOnUncaughtErrors } from "../util/fatal.js";
import { type JobMessage, modelFiles, type ReplyMessage, runJobHere } from "./job.js";
import { exitWithParent, PARENT_ENV, WARM_ENV } from "./watchdog.js";

// The messages are declared beside the job (the pool imports them from there, never this program).
export type { JobMessage, ReplyMessage } from "./job.js";

async function handle({ id, job }: JobMessage): Promise<ReplyMessage> {
  try {
    // A program of its own, not imported: it may take the built-in kinds itself.
    const { result, model } = await runJobHere(job, builtInKinds);
    if (!model) return { id, result };
    try {
      return { id, result: { ...result, files: await modelFiles(model) } };
    } finally {
      model.dispose();
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    const params = error instanceof StrataError ? error.params : undefined;
    return { id, error: { name: error.name, message: error.message, params } };
  }
}

/**
 * Sends a reply. The parent may be gone meanwhile (interrupted, killed): the write then fails
 * (EPIPE, or the channel is already closed), and with nobody to answer this process leaves
 * quietly rather than dying on an unhandled 'error' event.
 */
function reply(message: ReplyMessage): void {
  if (!process.connected) process.exit(0);
  process.send?.(message, undefined, {}, (e) => {
    if (e) process.exit(0);
  });
}

/**
 * For fault-injection tests only: `STRATA_FAULT_WORKER_BLOCK_MS=MS` makes the worker hold its
 * thread MS ms after each job, before it replies (as a long native fit does), after saying so on
 * stderr, so that a test can end the parent then.
 */
function noop(): void {}

function faultBlock(): void {
  const ms = Number(process.env.STRATA_FAULT_WORKER_BLOCK_MS);
  if (!(ms > 0)) return;
  process.stderr.write(`strata worker ${process.pid}: blocking ${ms} ms (STRATA_FAULT_WORKER_BLOCK_MS)\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// The parent's stderr, shared: if its reader is gone, what a worker would say is lost anyway.
// An error nobody caught is one line on the shared stderr, as in the CLI, never a stack.
exitOnUncaughtErrors();
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

// A job process started ahead of its job (queue-child.ts) loads TF.js's backend (libtorch) while
// it waits: a second or two that the job then does not spend.
const warm = process.env[WARM_ENV] === "1" ? useBackend().then(noop, noop) : Promise.resolve();

process.on("message", (message: JobMessage) => {
  warm
    .then(() => handle(message))
    .then((answer) => {
      faultBlock();
      reply(answer);
    });
});
// The pool disconnects when it has no more work (or has given up): leave then.
process.on("disconnect", () => process.exit(0));

const parent = Number(process.env[PARENT_ENV]);
if (Number.isInteger(parent) && parent > 0) exitWithParent(parent);
