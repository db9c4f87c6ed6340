/*
 * Data-parallel tests' processes: ranks started as separate processes on 127.0.0.1 with
 * torchrun's variables (or `strata … --nproc N`), their output collected, every one killed when
 * the test file ends; and the skip (or, on CI, the failure) when the addon has no Gloo.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, type TestContext } from "node:test";
import { distributedAvailable } from "../../src/parallel/distributed.js";
import { freePort } from "../../src/parallel/distributed-launch.js";
import { CLI } from "./cli.js";

const support = await distributedAvailable();
/** Every process a test starts, killed when the file ends (the tests kill their own first). */
const live = new Set<ChildProcess>();
after(() => {
  for (const child of live) child.kill("SIGKILL");
});

/** Data-parallel tests run when the addon has Gloo; on CI a missing Gloo is a failure, not a skip. */
export function needsGloo(t: TestContext): boolean {
  if (support.available) return true;
  if (process.env.CI) assert.fail(`data-parallel training is unavailable on CI: ${support.why}`);
  t.skip(`data-parallel training is unavailable here: ${support.why}`);
  return false;
}

export interface Started {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node <script> ...args` on the torch backend (one thread unless `env` says otherwise)
 * with `env` added; its output is collected. A TypeScript script runs through tsx.
 */
export function start(
  script: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Started {
  const full: NodeJS.ProcessEnv = { ...process.env, STRATA_BACKEND: "torch", TBT_NUM_THREADS: "1", ...env };
  delete full.STRATA_DEBUG;
  delete full.NODE_TEST_CONTEXT;
  // tsx resolved from here: the ranks' cwd is a temp dir.
  const execArgv = script.endsWith(".ts") ? ["--import", import.meta.resolve("tsx")] : [];
  const child = spawn(process.execPath, [...execArgv, script, ...args], { cwd, env: full });
  live.add(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => out, stderr: () => err, done };
}

/** torchrun's variables for rank `rank` of `world` on 127.0.0.1:`port`. */
export function torchrun(rank: number, world: number, port: number): NodeJS.ProcessEnv {
  return {
    RANK: String(rank),
    WORLD_SIZE: String(world),
    LOCAL_RANK: String(rank),
    MASTER_ADDR: "127.0.0.1",
    MASTER_PORT: String(port),
  };
}

/**
 * Starts `script` (default: the CLI) with `args` as `world` ranks by hand, as torchrun would;
 * `cwd` is every rank's working directory, or one per rank.
 */
export async function startRanks(
  args: readonly string[],
  cwd: string | readonly string[],
  world: number,
  env: NodeJS.ProcessEnv = {},
  script = CLI,
): Promise<Started[]> {
  const port = await freePort();
  return Array.from({ length: world }, (_, k) =>
    start(script, args, typeof cwd === "string" ? cwd : cwd[k], { ...torchrun(k, world, port), ...env }),
  );
}

/** Waits for `run` to exit, and fails with its stderr unless it exited 0. */
export async function succeeded(run: Started, what: string): Promise<void> {
  const { code, signal } = await run.done;
  assert.equal(code, 0, `${what} exited ${code ?? signal}; stderr:\n${run.stderr()}`);
}

export function sha256(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}
