import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/**
 * Writes a directory atomically: `fill` writes into a fresh sibling temp directory, which
 * then replaces `dir` with a rename. If `fill` throws (or the process dies), `dir` is left as
 * it was and no half-written directory remains under its name.
 */
export async function writeDirAtomic(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${tag}`);
  await mkdir(tmp);
  try {
    await fill(tmp);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (existsSync(target)) {
    // rename() cannot replace a non-empty directory: move the old one aside first.
    const old = join(parent, `.${basename(target)}.old-${tag}`);
    await rename(target, old);
    await rename(tmp, target);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, target);
  }
}

/** Writes pretty-printed JSON followed by a newline. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes a file via a temp file and a rename, so readers never see half of it. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const target = resolve(path);
  await mkdir(dirname(target), { recursive: true });
  const tmp = join(
    dirname(target),
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
