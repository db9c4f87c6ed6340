import type { ChildProcess } from "node:child_process";
import { StrataError } from "../errors.js";
import type { JobMessage, MemberJob, MemberJobResult, ReplyMessage } from "./job.js";
import { startWorkerProcess } from "./workers.js";

/**
 * Child processes for jobs, each used for one job only, with one started ahead: a child takes
 * seconds to start (Node, TF.js, libtorch), as long as a small member's fit, and the next job's
 * child starts while this one runs.
 */
export class FreshChildren {
  private spare?: ChildProcess;

  constructor(private readonly threads: number) {}

  /** Starts the spare now (a worker does when it starts, so its first job does not wait either). */
  prepare(): void {
    this.spare ??= startWorkerProcess(this.threads);
  }

  /** A child no job has used yet; another starts in its place. */
  take(): ChildProcess {
    const ready = this.spare?.connected ? this.spare : startWorkerProcess(this.threads);
    if (ready !== this.spare) this.spare?.kill("SIGKILL");
    this.spare = startWorkerProcess(this.threads);
    return ready;
  }

  /** Ends the spare child. */
  close(): void {
    this.spare?.kill("SIGKILL");
    this.spare = undefined;
  }
}

/**
 * Runs one job in a fresh child process (worker.ts: its own TF.js backend, its threads),
 * which then leaves. `signal` aborting kills the child at once (a native fit cannot be
 * interrupted otherwise). A StrataError of the job (its input or params) stays one.
 */
export function runInFreshChild(
  job: MemberJob,
  children: FreshChildren,
  signal: AbortSignal,
): Promise<MemberJobResult> {
  return new Promise((resolve, reject) => {
    const child = children.take();
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (child.connected) child.disconnect();
      fn();
    };
    const onAbort = () => {
      child.kill("SIGKILL");
      finish(() => reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason))));
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort);
    child.on("message", (reply: ReplyMessage) => {
      if ("error" in reply) {
        const { name, message, params } = reply.error;
        finish(() =>
          reject(name === "StrataError" ? new StrataError(message, { params }) : new Error(message)),
        );
      } else finish(() => resolve(reply.result));
    });
    child.on("error", (e) =>
      finish(() => reject(new Error(`${job.label}: its process failed: ${e.message}`))),
    );
    child.on("exit", (code, sig) =>
      finish(() =>
        reject(new Error(`${job.label}: its process ended (${sig ?? `exit code ${code}`}) before finishing`)),
      ),
    );
    child.send({ id: 0, job } satisfies JobMessage, (e) => {
      if (e)
        finish(() => reject(new Error(`${job.label}: could not send the job to its process: ${e.message}`)));
    });
  });
}
