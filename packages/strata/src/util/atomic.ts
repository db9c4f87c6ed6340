import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { StrataError } from "../errors.js";
import { isRunning } from "./running.js";
import { assertDirOutput, type DirSort } from "./strata-dirs.js";

/**
 * An atomic write in progress, so that a signal handler can undo it synchronously: the temp
 * sibling being filled, the old directory moved aside (during the swap), the lock held.
 */
interface PendingWrite {
  readonly target: string;
  readonly tmp: string;
  old?: string;
  lock?: string;
}

const pending = new Set<PendingWrite>();

/** How long a writer waits for another process's swap of the same directory before giving up. */
const LOCK_WAIT_MS = 60_000;

/**
 * Writes a directory atomically: `fill` writes into a fresh sibling temp directory
 * (`.NAME.tmp-PID-RANDOM`), which then replaces `dir`. Whatever happens, `dir` is either the
 * old directory or the new one, whole:
 *
 * - if `fill` throws, the temp directory is removed and `dir` is left as it was;
 * - the swap (old directory moved aside to `.NAME.old-PID-RANDOM`, the new one renamed in, the
 *   old one removed) runs under a lock file (`.NAME.lock`, holding the PID), so two processes
 *   writing the same `dir` at once each land whole, one after the other;
 * - after SIGINT or SIGTERM the CLI calls `abandonPendingWrites`, which undoes a write in progress;
 * - after a kill -9 (nothing can run), the siblings a dead process left are cleaned up by the next
 *   write of `dir` (or by `recoverInterruptedWrites`): an old directory moved aside but never
 *   replaced is restored, temp directories and stale locks are removed.
 *
 * `dir` is replaced only when it is missing, an empty folder, or a strata folder of `sort` holding
 * nothing strata did not write (see strata-dirs.ts): checked before `fill` and again under the
 * lock just before the swap; anything else is refused with a StrataError and left untouched.
 *
 * Returns what that cleanup did, one line each (empty when there was nothing to clean up).
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tmp: string) => Promise<void>,
  sort: DirSort = "model",
): Promise<string[]> {
  assertDirOutput(dir, sort);
  const target = resolve(dir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true }).catch((e) => {
    throw cannotWrite(dir, e);
  });
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const write: PendingWrite = { target, tmp: join(parent, `.${basename(target)}.tmp-${tag}`) };
  pending.add(write);
  try {
    await mkdir(write.tmp);
    await fill(write.tmp);
    await faultDelay("before-commit");
    write.lock = await acquireLock(target);
    const notes = recoverInterruptedWrites(target);
    assertDirOutput(dir, sort);
    if (existsSync(target)) {
      // rename() cannot replace a non-empty directory: move the old one aside first.
      write.old = join(parent, `.${basename(target)}.old-${tag}`);
      await rename(target, write.old);
      await faultDelay("mid-swap");
      await rename(write.tmp, target);
      await rm(write.old, { recursive: true, force: true });
    } else {
      await rename(write.tmp, target);
    }
    return notes;
  } catch (e) {
    undo(write);
    throw cannotWrite(dir, e);
  } finally {
    if (write.lock) rmSync(write.lock, { force: true });
    pending.delete(write);
  }
}

/** What a failed system call's code means for a write, in a user's words. */
const WRITE_FAILURES: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "not permitted",
  ENOENT: "a folder on the way cannot be created",
  ENOTDIR: "a file is in the way",
  EEXIST: "a file is in the way",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EISDIR: "a folder is in the way",
};

/**
 * A StrataError naming `path` for a failed system call (no such folder, no permission, a full or
 * read-only disk); any other error as it is.
 */
function cannotWrite(path: string, e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof err.code !== "string" || typeof err.syscall !== "string") return e;
  const call = err.path ? `${err.syscall} ${err.path}` : err.syscall;
  return new StrataError(`${path}: cannot write it (${WRITE_FAILURES[err.code] ?? err.code}: ${call})`);
}

/**
 * Undoes every atomic write in progress, synchronously (for a signal handler that then exits):
 * an old directory moved aside is put back unless the new one already replaced it, temp
 * directories and locks are removed.
 */
export function abandonPendingWrites(): void {
  for (const write of pending) {
    undo(write);
    if (write.lock) rmSync(write.lock, { force: true });
  }
  pending.clear();
}

/** Puts a write's target back as it was (or leaves the new one, if it is already in place). */
function undo(write: PendingWrite): void {
  if (write.old && existsSync(write.old)) {
    if (!existsSync(write.target)) {
      try {
        renameSync(write.old, write.target);
      } catch {
        // The new directory landed meanwhile (a rename finishing in the background): keep it.
      }
    }
    rmSync(write.old, { recursive: true, force: true });
  }
  rmSync(write.tmp, { recursive: true, force: true });
}

const SIBLING = /^\.(.+)\.(tmp|old)-(\d+)-[0-9a-f]+$/;

/**
 * Cleans up what a killed writer of `dir` left beside it (only what a process no longer running
 * left): restores `dir` from an old copy moved aside when `dir` itself is gone, removes temp
 * directories and stale locks. Returns one line per thing done, for the CLI to show.
 */
export function recoverInterruptedWrites(dir: string): string[] {
  const target = resolve(dir);
  const parent = dirname(target);
  const name = basename(target);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) return [];
  const notes: string[] = [];
  const siblings = readdirSync(parent)
    .map((f) => ({ file: f, m: SIBLING.exec(f) }))
    .filter((s) => s.m !== null && s.m[1] === name && !isRunning(Number(s.m[3])))
    // Old copies first: one may have to be restored before the temp directories go.
    .sort((a, b) => (a.m![2] === b.m![2] ? 0 : a.m![2] === "old" ? -1 : 1));
  for (const { file, m } of siblings) {
    const path = join(parent, file);
    const pid = m![3];
    if (m![2] === "old" && !existsSync(target)) {
      renameSync(path, target);
      notes.push(
        `restored ${dir} from ${file}, where a strata process (pid ${pid}) that was killed mid-write had moved it`,
      );
    } else {
      rmSync(path, { recursive: true, force: true });
      notes.push(
        `removed ${join(dirname(dir), file)}, left by a strata process (pid ${pid}) that was killed while writing ${dir}`,
      );
    }
  }
  const lock = lockPath(target);
  const holder = lockHolder(lock);
  if (holder !== undefined && holder !== process.pid && !isRunning(holder)) rmSync(lock, { force: true });
  return notes;
}

function lockPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.lock`);
}

/** The PID in a lock file; undefined when there is none; NaN while it is being written. */
function lockHolder(lock: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(lock, "utf8"), 10);
  } catch {
    return undefined;
  }
}

/** Takes `.NAME.lock` beside `target` (waiting for a live holder, taking over a dead one's). */
async function acquireLock(target: string): Promise<string> {
  const lock = lockPath(target);
  const started = Date.now();
  for (;;) {
    try {
      await writeFile(lock, `${process.pid}\n`, { flag: "wx" });
      return lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = lockHolder(lock);
    const stale =
      holder === undefined ||
      (Number.isNaN(holder) ? Date.now() - mtime(lock) > 5000 : holder !== process.pid && !isRunning(holder));
    if (stale) {
      rmSync(lock, { force: true });
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS)
      throw new StrataError(
        `${target}: another strata process (pid ${holder}) has been writing it for over ${LOCK_WAIT_MS / 1000} s; try again when it has finished (or remove ${lock} if no such process runs)`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * For fault-injection tests only: `STRATA_FAULT_DELAY=STAGE:MS` makes every atomic directory write
 * wait MS milliseconds at STAGE ("before-commit": the temp directory is full, the target untouched;
 * "mid-swap": the old directory is moved aside, the new one not yet in place), so that a test can
 * kill or interrupt the process there.
 */
async function faultDelay(stage: "before-commit" | "mid-swap"): Promise<void> {
  const spec = process.env.STRATA_FAULT_DELAY;
  if (!spec) return;
  const [at, ms] = spec.split(":");
  if (at === stage) await new Promise((r) => setTimeout(r, Number(ms)));
}

/** Writes pretty-printed JSON followed by a newline. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes a file via a temp file and a rename, so readers never see half of it. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true }).catch((e) => {
    throw cannotWrite(path, e);
  });
  const write: PendingWrite = {
    target,
    tmp: join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`),
  };
  pending.add(write);
  try {
    await writeFile(write.tmp, data);
    await rename(write.tmp, target);
  } catch (e) {
    rmSync(write.tmp, { force: true });
    throw cannotWrite(path, e);
  } finally {
    pending.delete(write);
  }
}
