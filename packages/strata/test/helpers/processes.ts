import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/**
 * Whether a process runs: it has a /proc entry and is not a zombie (a process that has ended
 * but whose parent, or init after re-parenting, has not reaped it yet). Linux only.
 */
export function isAlive(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return false;
  }
  // "PID (COMMAND) STATE …": the command may hold spaces and parentheses; the state follows the last ")".
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/** A process's parent PID, from /proc (undefined once it is gone). */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/**
 * Waits until `ready()` holds, checking every 20 ms; fails naming `what` after `ms`. For states
 * that no event announces (a process disappearing); the deadline is the assertion.
 */
export async function waitUntil(ready: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Resolves with the match once `text()` (what the caller has collected from `stream`) matches
 * `pattern`, checked on each of the stream's 'data' events; fails naming `what` after `ms`.
 */
export function waitForOutput(
  stream: NodeJS.ReadableStream,
  text: () => string,
  pattern: RegExp,
  what: string,
  ms = 60_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = text().match(pattern);
      if (!m) return false;
      clearTimeout(timer);
      stream.off("data", onData);
      resolve(m);
      return true;
    };
    // The caller's own 'data' listener (which appends to text()) was added first, so runs first.
    const onData = () => check();
    const timer = setTimeout(() => {
      stream.off("data", onData);
      reject(new Error(`no ${what} within ${ms} ms; output so far:\n${text()}`));
    }, ms);
    stream.on("data", onData);
    check();
  });
}
