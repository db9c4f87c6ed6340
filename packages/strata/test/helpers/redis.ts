/*
 * Queue tests' processes: a real redis-server on a free loopback port in a temp folder (no
 * persistence), `strata worker` processes and submitting CLI runs, each with its output
 * collected; every one killed, and every folder removed, when its test ends (also on failure).
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../../src/parallel/distributed-launch.js";
import { CLI, type CliResult } from "./cli.js";
import { isAlive, waitForOutput, waitUntil } from "./processes.js";

const run = promisify(execFile);

/** What cleans up after a test (a TestContext), or after the file (node:test's `after`). */
export interface Cleanup {
  after(fn: () => unknown): void;
}

export interface Started {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Settles when the process has exited and its streams are closed. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `command args` with its output collected; it is killed (with every process it started
 * that is still alive) when the test ends.
 */
export function startProcess(
  t: Cleanup,
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Started {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
  assert.ok(child.pid, `could not start ${command}`);
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const started: Started = { child, pid: child.pid, stdout: () => out, stderr: () => err, done };
  t.after(() => killTree(started));
  return started;
}

/** The processes `pid` started that still run (from /proc). */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) found.push(Number(entry));
    } catch {
      // It ended while we looked.
    }
  }
  return found;
}

/**
 * Kills `p` and the processes it started (a strata worker's job processes end themselves within
 * 200 ms of their parent's death; any still alive after 5 s are killed too), and waits for `p`.
 */
export async function killTree(p: Started): Promise<void> {
  const children = childrenOf(p.pid);
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
  await p.done;
  const deadline = Date.now() + 5_000;
  while (children.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of children.filter(isAlive)) process.kill(pid, "SIGKILL");
}

export interface RedisServer {
  readonly port: number;
  /** redis://[:password@]127.0.0.1:PORT (rediss:// with TLS) */
  readonly url: string;
  /** The URL as strata's messages show it: no password. */
  readonly shown: string;
  readonly process: Started;
  /** DBSIZE, through redis-cli. */
  dbsize(): Promise<number>;
  /** Polls DBSIZE until it is 0; fails with the keys left after `ms`. */
  emptied(ms?: number): Promise<void>;
  /** Stops the server (SIGTERM: a shutdown without saving) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1 in a temp folder, without persistence
 * (`--save "" --appendonly no`), with `--requirepass` when `password` is given, taking only TLS
 * with `tls` (its certificate is also the CA redis-cli trusts); resolves once
 * it says it accepts connections. Stopped, and its folder removed, when the test ends.
 */
export async function startRedis(
  t: Cleanup,
  password?: string,
  options: { readonly tls?: { readonly cert: string; readonly key: string } } = {},
): Promise<RedisServer> {
  const { tls } = options;
  const dir = mkdtempSync(join(tmpdir(), "strata-redis-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // Another process may take the free port before redis-server binds it: then try another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // With TLS only the TLS port listens (the plain one is off: --port 0).
    const ports = tls
      ? [
          "--port",
          "0",
          "--tls-port",
          String(port),
          "--tls-cert-file",
          tls.cert,
          "--tls-key-file",
          tls.key,
          "--tls-ca-cert-file",
          tls.cert,
          "--tls-auth-clients",
          "no",
        ]
      : ["--port", String(port)];
    const args = [...ports, "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
    if (password) args.push("--requirepass", password);
    const p = startProcess(t, "redis-server", args);
    const said = waitForOutput(
      p.child.stdout!,
      p.stdout,
      /Ready to accept connections/,
      "redis-server ready",
      20_000,
    );
    said.catch(() => {});
    const ready = await Promise.race([said.then(() => true), p.done.then(() => false)]);
    if (!ready) {
      if (attempt < 3 && /Address already in use/.test(p.stdout())) continue;
      assert.fail(`redis-server did not start:\n${p.stdout()}${p.stderr()}`);
    }
    const auth = [
      ...(password ? ["-a", password, "--no-auth-warning"] : []),
      ...(tls ? ["--tls", "--cacert", tls.cert] : []),
    ];
    const cli = async (...command: string[]) =>
      (await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...auth, ...command])).stdout.trim();
    const dbsize = async () => Number(await cli("DBSIZE"));
    const scheme = tls ? "rediss" : "redis";
    const shown = `${scheme}://127.0.0.1:${port}`;
    return {
      port,
      url: password ? `${scheme}://:${encodeURIComponent(password)}@127.0.0.1:${port}` : shown,
      shown,
      process: p,
      dbsize,
      async emptied(ms = 10_000) {
        const deadline = Date.now() + ms;
        while ((await dbsize()) !== 0) {
          if (Date.now() > deadline)
            assert.fail(`Redis still holds keys after ${ms} ms:\n${await cli("KEYS", "*")}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      async stop() {
        p.child.kill("SIGTERM");
        await p.done;
      },
    };
  }
}

/** The environment of strata processes here: no debug stacks, not seen as test runners. */
export function strataEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.STRATA_DEBUG;
  delete env.NODE_TEST_CONTEXT;
  return env;
}

/**
 * Starts `strata ...args` (the built CLI) in `cwd`, its output collected. Its temp files go to
 * `cwd` too (TMPDIR), which the test removes: a worker killed with -9 cannot remove its cache.
 */
export function startCli(
  t: Cleanup,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Started {
  return startProcess(t, process.execPath, [CLI, ...args], { cwd, env: strataEnv({ TMPDIR: cwd, ...env }) });
}

/**
 * `strata ...args` run to its end on the WASM backend, as runCli runs it, but without holding
 * this process: several run at once.
 */
export async function cliRun(t: Cleanup, args: readonly string[], cwd: string): Promise<CliResult> {
  const p = startCli(t, args, cwd, { STRATA_BACKEND: "wasm" });
  const { code } = await p.done;
  return { status: code, stdout: p.stdout(), stderr: p.stderr() };
}

export interface QueueWorker extends Started {
  readonly name: string;
}

/**
 * Starts `n` `strata worker --queue url` processes named w1…wn (with `extra` options), and
 * resolves once each has said it is on the queue.
 */
export async function startWorkers(
  t: Cleanup,
  url: string,
  n: number,
  cwd: string,
  extra: readonly string[] = [],
): Promise<QueueWorker[]> {
  const workers = Array.from({ length: n }, (_, k) => {
    const name = `w${k + 1}`;
    return { ...startCli(t, ["worker", "--queue", url, "--name", name, ...extra], cwd), name };
  });
  await Promise.all(
    workers.map((w) =>
      stderrLine(w, new RegExp(`worker ${w.name} on rediss?://`), `${w.name} ready`, 60_000),
    ),
  );
  return workers;
}

/**
 * Resolves with the first match of `pattern` in `p`'s stderr as it comes (only in what came
 * after `from` characters); fails naming `what` after `ms`.
 */
export async function stderrLine(
  p: Started,
  pattern: RegExp,
  what: string,
  ms = 120_000,
  from = 0,
): Promise<RegExpMatchArray> {
  return (await waitForStderr([p], pattern, what, [from], ms)).match;
}

/**
 * Resolves with the first of `ps` whose stderr (after `from[i]` characters) matches `pattern`,
 * and the match; fails naming `what` after `ms`. Stops listening once settled.
 */
export function waitForStderr(
  ps: readonly Started[],
  pattern: RegExp,
  what: string,
  from: readonly number[] = [],
  ms = 120_000,
): Promise<{ index: number; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      for (const [index, p] of ps.entries()) {
        const match = p
          .stderr()
          .slice(from[index] ?? 0)
          .match(pattern);
        if (match) {
          stop();
          resolve({ index, match });
          return true;
        }
      }
      return false;
    };
    // Each process's own 'data' listener (which collects its stderr) was added first, so runs first.
    const onData = () => check();
    const timer = setTimeout(() => {
      stop();
      reject(
        new Error(`no ${what} within ${ms} ms; stderr so far:\n${ps.map((p) => p.stderr()).join("\n---\n")}`),
      );
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      for (const p of ps) p.child.stderr?.off("data", onData);
    };
    for (const p of ps) p.child.stderr?.on("data", onData);
    check();
  });
}

/** Waits for `p` to exit, and fails with its stderr (and the workers') unless it exited 0. */
export async function succeeded(
  p: Started,
  what: string,
  workers: readonly QueueWorker[] = [],
): Promise<void> {
  const { code, signal } = await p.done;
  const theirs = workers.map((w) => `\n--- ${w.name}:\n${w.stderr()}`).join("");
  assert.equal(code, 0, `${what} exited ${code ?? signal}; stderr:\n${p.stderr()}${theirs}`);
}

/** The run ids a worker has taken jobs of. */
export function runsTaken(w: Started): string[] {
  return [...w.stderr().matchAll(/run ([0-9a-f]{16}): taking its jobs/g)].map((m) => m[1]);
}

/**
 * Waits until every worker has said "run <id>: ended" for every run it took, then until Redis
 * holds nothing.
 */
export async function runsEnded(workers: readonly Started[], redis: RedisServer, ms = 30_000): Promise<void> {
  for (const w of workers)
    for (const id of runsTaken(w)) await stderrLine(w, new RegExp(`run ${id}: ended`), `run ${id} ended`, ms);
  await redis.emptied();
}

/** Waits until `pid` no longer runs. */
export function gone(pid: number, ms = 5_000): Promise<void> {
  return waitUntil(() => !isAlive(pid), ms, `process ${pid} to end`);
}
