// A child process that runs member jobs for the pool (pool.ts): one job at a time, each a message
// in and a message out. It has its own TF.js backend; the pool sets its thread counts.
import type { MemberJob, MemberJobResult } from "./job.js";
import { modelFiles, runJobHere } from "./job.js";

/** parent → worker */
export interface JobMessage {
  readonly id: number;
  readonly job: MemberJob;
}

/** worker → parent */
export type ReplyMessage =
  | { readonly id: number; readonly result: MemberJobResult }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

async function handle({ id, job }: JobMessage): Promise<ReplyMessage> {
  try {
    const { result, model } = await runJobHere(job);
    if (!model) return { id, result };
    try {
      return { id, result: { ...result, files: await modelFiles(model) } };
    } finally {
      model.dispose();
    }
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return { id, error: { name: error.name, message: error.message } };
  }
}

process.on("message", (message: JobMessage) => {
  handle(message).then((reply) => process.send?.(reply));
});
// The pool disconnects when it has no more work (or has given up): leave then.
process.on("disconnect", () => process.exit(0));
