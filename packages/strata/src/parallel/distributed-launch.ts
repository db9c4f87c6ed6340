import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";

/*
 * `--nproc N`: N local ranks of the same command, started as torchrun starts them (RANK,
 * WORLD_SIZE, LOCAL_RANK, MASTER_ADDR 127.0.0.1, a free MASTER_PORT), each with its share of
 * the cores as threads. Rank 0's stdout and stderr pass through (its results, its --json);
 * the other ranks' stdout is dropped and their stderr prefixed "rank k: ". The first rank to
 * fail with an exit code ends the run: the others are stopped and its code is the launcher's.
 */

/** process.argv without `--nproc N` / `--nproc=N` (from index 1: the script and its arguments). */
export function argvWithoutNproc(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--nproc") {
      i++;
      continue;
    }
    if (argv[i].startsWith("--nproc=")) continue;
    out.push(argv[i]);
  }
  return out;
}

/** Threads for each of `nproc` ranks on this machine: the cores shared out, at least 1. */
export function threadsPerRank(nproc: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / nproc));
}

/** A TCP port on 127.0.0.1 that nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The environment of rank `rank` of `nproc` local ranks. */
export function rankEnv(
  base: NodeJS.ProcessEnv,
  rank: number,
  nproc: number,
  port: number,
  threads: number,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    RANK: String(rank),
    WORLD_SIZE: String(nproc),
    LOCAL_RANK: String(rank),
    LOCAL_WORLD_SIZE: String(nproc),
    MASTER_ADDR: "127.0.0.1",
    MASTER_PORT: String(port),
    TBT_NUM_THREADS: base.TBT_NUM_THREADS || String(threads),
    OMP_NUM_THREADS: base.OMP_NUM_THREADS || String(threads),
  };
  // Set by node --test for its own children; a rank is not one.
  delete env.NODE_TEST_CONTEXT;
  return env;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

interface Rank {
  readonly k: number;
  readonly child: ChildProcess;
  /** Error lines held until the rank exits (shown only when its failure is the run's). */
  readonly held: string[];
  exited: boolean;
}

/**
 * Runs this process's command as `nproc` ranks and waits for them; returns the exit code (0,
 * or the first failing rank's). `grace`: how long, after a rank dies without a code (killed),
 * the others get to report it before they are killed too.
 */
export async function launchRanks(nproc: number, graceMs: number): Promise<number> {
  const port = await freePort();
  const threads = threadsPerRank(nproc);
  const args = [
    ...process.execArgv.filter((a) => !a.startsWith("--inspect")),
    ...argvWithoutNproc(process.argv.slice(1)),
  ];
  const ranks: Rank[] = [];
  let failed: Rank | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stopOthers = (signal: NodeJS.Signals) => {
    for (const r of ranks) if (!r.exited && r !== failed) r.child.kill(signal);
  };
  const done = new Promise<number>((resolve) => {
    let left = nproc;
    let code = 0;
    let killed: { k: number; signal: NodeJS.Signals } | undefined;
    const exited = (r: Rank, exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (r.exited) return;
      r.exited = true;
      left--;
      if (exitCode === 0) flush(r);
      if (exitCode !== 0 && failed === undefined) {
        if (exitCode !== null) {
          failed = r;
          code = exitCode;
          flush(r);
          stopOthers("SIGTERM");
        } else if (killed === undefined) {
          // Killed from outside: the others notice at their next collective and say which rank.
          killed = { k: r.k, signal: signal ?? "SIGTERM" };
          killTimer = setTimeout(() => stopOthers("SIGKILL"), graceMs);
          killTimer.unref();
        }
      }
      if (left > 0) return;
      if (killTimer) clearTimeout(killTimer);
      if (failed === undefined && killed !== undefined) {
        process.stderr.write(`strata: error: rank ${killed.k} was ended by ${killed.signal}\n`);
        code = 128 + (SIGNAL_NUMBERS[killed.signal] ?? 15);
      }
      resolve(code);
    };
    for (let k = 0; k < nproc; k++) {
      const child = spawn(process.execPath, args, {
        env: rankEnv(process.env, k, nproc, port, threads),
        stdio: ["ignore", k === 0 ? "inherit" : "ignore", "pipe"],
      });
      const r: Rank = { k, child, held: [], exited: false };
      ranks.push(r);
      passStderr(r, () => failed);
      // "close": after its stderr has been read to the end.
      child.once("close", (c, s) => exited(r, c, s));
      child.once("error", (e) => {
        process.stderr.write(`strata: error: could not start rank ${k}: ${e.message}\n`);
        exited(r, 1, null);
      });
    }
  });
  // Forwarded before the CLI's own handler (which then exits this process).
  const forward = (signal: NodeJS.Signals) => () => stopOthers(signal);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  const killAll = () => {
    for (const r of ranks) if (!r.exited) r.child.kill("SIGKILL");
  };
  process.prependListener("SIGINT", onInt);
  process.prependListener("SIGTERM", onTerm);
  process.once("exit", killAll);
  try {
    return await done;
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
    process.off("exit", killAll);
  }
}

/** Writes what a rank's stderr held back. */
function flush(r: Rank): void {
  for (const text of r.held.splice(0)) process.stderr.write(r.k === 0 ? text : `rank ${r.k}: ${text}`);
}

/**
 * Rank 0's stderr as it comes (progress may redraw its line); another rank's line by line,
 * prefixed, its "strata: …" lines held for its exit. Once another rank's failure is the run's,
 * the rest is dropped, so the run ends with that one line.
 */
function passStderr(r: Rank, failed: () => Rank | undefined): void {
  const stream = r.child.stderr;
  if (!stream) return;
  const quiet = () => failed() !== undefined && failed() !== r;
  if (r.k === 0) {
    let holding = false;
    stream.on("data", (chunk: Buffer) => {
      if (quiet()) return;
      const text = chunk.toString("utf8");
      // A failure's lines wait for the exit: another rank's may be the one the run reports.
      if (!holding && text.includes("strata: ")) holding = true;
      if (holding) r.held.push(text);
      else process.stderr.write(text);
    });
    return;
  }
  let holding = false;
  createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
    if (quiet()) return;
    if (!holding && line.startsWith("strata: ")) holding = true;
    if (holding) r.held.push(`${line}\n`);
    else process.stderr.write(`rank ${r.k}: ${line}\n`);
  });
}
