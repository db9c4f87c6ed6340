// The worker processes of `--jobs N` when their parent stops: after SIGINT, SIGTERM or kill -9
// of the CLI, every worker ends within a second, even one whose thread is held (as by a long
// native fit), and none prints an error (no `write EPIPE … Unhandled 'error' event`). A worker
// whose IPC channel closes before it can reply leaves quietly. Linux: reads /proc.
import assert from "node:assert/strict";
import { type ChildProcess, fork, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Frame } from "../src/data/frame.js";
import type { MemberJob } from "../src/parallel/job.js";
import { toWire } from "../src/parallel/wire.js";
import type { JobMessage } from "../src/parallel/worker.js";
import { assertNoStackTrace, CLI, linesOf, tempDir } from "./helpers/cli.js";
import { isAlive, parentOf, waitForOutput, waitUntil } from "./helpers/processes.js";
import { syntheticPima } from "./helpers/sweep.js";

const skip = process.platform !== "linux" && "reads /proc";
const WORKER = fileURLToPath(new URL("../dist/parallel/worker.js", import.meta.url));
const BLOCKING = /strata worker (\d+): blocking/g;
/** How long a worker may outlive its parent (the aim is under a second; the slack is for a loaded machine). */
const GRACE_MS = 2000;

interface Fit {
  readonly child: ChildProcess;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once every holder of the stderr pipe (the CLI and its workers) has closed it. */
  readonly closed: Promise<void>;
}

/**
 * `strata fit data.csv --model vote --members logistic,logistic --jobs 2` whose two workers each
 * hold their thread for a minute after their job (STRATA_FAULT_WORKER_BLOCK_MS), as a long native
 * fit would; resolves with the workers' PIDs once both are holding it.
 */
async function startBlockedFit(t: TestContext): Promise<{ fit: Fit; workers: number[] }> {
  const dir = tempDir(t, "strata-processes-");
  writeFileSync(join(dir, "data.csv"), syntheticPima(200));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STRATA_BACKEND: "wasm",
    STRATA_FAULT_WORKER_BLOCK_MS: "60000",
  };
  delete env.STRATA_DEBUG;
  const args = ["fit", "data.csv", "--model", "vote", "--members", "logistic,logistic", "--jobs", "2"];
  const child = spawn(process.execPath, [CLI, ...args, "--out", "m"], {
    cwd: dir,
    env,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const closed = new Promise<void>((resolve) => child.stderr!.once("close", () => resolve()));
  const fit: Fit = { child, stderr: () => err, exited, closed };
  const workers: number[] = [];
  t.after(() => {
    child.kill("SIGKILL");
    for (const pid of workers) if (isAlive(pid)) process.kill(pid, "SIGKILL");
  });
  await waitForOutput(child.stderr!, fit.stderr, /blocking[\s\S]*blocking/, "two blocked workers");
  for (const m of err.matchAll(BLOCKING)) workers.push(Number(m[1]));
  for (const pid of workers) assert.equal(parentOf(pid), child.pid, "a worker is the CLI's child");
  return { fit, workers };
}

for (const signal of ["SIGINT", "SIGTERM", "SIGKILL"] as const)
  test(`${signal} of the CLI: its busy workers end within ${GRACE_MS / 1000} s, quietly`, {
    skip,
  }, async (t) => {
    const { fit, workers } = await startBlockedFit(t);
    fit.child.kill(signal);
    const { code, signal: by } = await fit.exited;
    if (signal === "SIGKILL") assert.equal(by, "SIGKILL");
    else assert.equal(code, signal === "SIGINT" ? 130 : 143, fit.stderr());
    await waitUntil(
      () => !workers.some(isAlive),
      GRACE_MS,
      `workers ${workers.join(", ")} end after ${signal}`,
    );
    // Every writer to the shared stderr is gone: nothing more can come.
    await fit.closed;
    assertNoStackTrace(fit.stderr());
    assert.doesNotMatch(fit.stderr(), /EPIPE|Unhandled|internal error/);
    const last = linesOf(fit.stderr()).at(-1) ?? "";
    if (signal === "SIGKILL") assert.match(last, /blocking/, "nothing after the kill");
    else assert.equal(last, `strata: interrupted (${signal}); nothing half-written was left behind`);
  });

test("a worker whose parent closed the IPC channel while it worked leaves quietly, without replying", {
  skip,
}, async (t) => {
  const frame = Frame.fromColumns({ x: [0, 1, 2, 3, 4, 5, 6, 7] });
  const job: MemberJob = {
    label: "test job",
    spec: { kind: "logistic", params: {} },
    classes: ["a", "b"],
    train: { x: toWire(frame), y: ["a", "a", "a", "a", "b", "b", "b", "b"] },
    fitOptions: {},
    keepModel: false,
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STRATA_BACKEND: "wasm",
    STRATA_FAULT_WORKER_BLOCK_MS: "3000",
  };
  delete env.NODE_TEST_CONTEXT;
  const worker = fork(WORKER, [], {
    env,
    execArgv: [],
    serialization: "advanced",
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  t.after(() => {
    worker.kill("SIGKILL");
  });
  let err = "";
  worker.stderr!.on("data", (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => worker.once("exit", (code) => resolve(code)));
  worker.send({ id: 0, job } satisfies JobMessage);
  await waitForOutput(worker.stderr!, () => err, /blocking/, "the worker holding its thread");
  // Gone before the reply: the worker's write fails (EPIPE) when it wakes.
  worker.disconnect();
  assert.equal(await exited, 0, err);
  assert.deepEqual(linesOf(err), [
    `strata worker ${worker.pid}: blocking 3000 ms (STRATA_FAULT_WORKER_BLOCK_MS)`,
  ]);
});
