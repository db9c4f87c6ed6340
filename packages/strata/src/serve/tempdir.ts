import { readdirSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isRunning } from "../util/running.js";

/** `strata-serve-PID-XXXXXX`: the PID of the server that made it, so another can tell whether it is stale. */
const PREFIX = "strata-serve-";
const NAME = /^strata-serve-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * A fresh folder for one server's uploads, in the system's temporary folder and named with this
 * process's PID. A server stops by removing its own; one killed with -9 (or stopped twice in a
 * way that left no time) cannot, so this also removes those of servers no longer running (as
 * util/atomic.ts's recoverInterruptedWrites does for model directories). Returns the folder and
 * one line per stale folder removed.
 */
export async function makeServeTempDir(parent = tmpdir()): Promise<{ dir: string; removed: string[] }> {
  const removed = removeStaleTempDirs(parent);
  const dir = await mkdtemp(join(parent, `${PREFIX}${process.pid}-`));
  return { dir, removed };
}

/** Removes the upload folders of servers no longer running; one line for each. */
export function removeStaleTempDirs(parent = tmpdir()): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return [];
  }
  const notes: string[] = [];
  for (const name of names) {
    const m = NAME.exec(name);
    if (!m || isRunning(Number(m[1]))) continue;
    const path = join(parent, name);
    try {
      rmSync(path, { recursive: true, force: true });
      notes.push(
        `removed ${path}, left by a strata serve (pid ${m[1]}) that was killed before it could clean up`,
      );
    } catch {
      // Another user's, or already gone: not ours to insist on.
    }
  }
  return notes;
}
