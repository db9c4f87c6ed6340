import { StrataError } from "../errors.js";
import type { JobMessage, MemberJob, MemberJobResult, ReplyMessage } from "./job.js";
import { startWorkerProcess } from "./workers.js";

/**
 * Runs one job in a fresh child process (worker.ts: its own TF.js backend, `threads` threads),
 * which then leaves. `signal` aborting kills the child at once (a native fit cannot be
 * interrupted otherwise). A StrataError of the job (its input or params) stays one.
 */
export function runInFreshChild(
  job: MemberJob,
  threads: number,
  signal: AbortSignal,
): Promise<MemberJobResult> {
  return new Promise((resolve, reject) => {
    const child = startWorkerProcess(threads);
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
