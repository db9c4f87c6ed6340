import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { ensureStrataDir } from "../util/strata-dirs.js";
import type { DecodeOptions } from "./decode.js";

/**
 * An on-disk cache of decoded images: one file of raw 8-bit HWC pixels per (image, size)
 * pair, named by a hash of the image's absolute path, modification time and byte size and of
 * the target width, height, channels and fit. Editing or replacing an image changes its key,
 * so a stale entry is never read; old entries are simply left behind. Entries are written
 * atomically (temp file + rename), so concurrent runs and crashes never leave half a file
 * under a valid name. Safe to delete at any time.
 */
export class DecodeCache {
  /** Made a cache folder (with its manifest) before the first entry is written. */
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  /** The entry's path for `file` decoded with `opts` (stats `file`). */
  async keyPath(file: string, opts: DecodeOptions): Promise<string> {
    const s = await stat(file);
    const key = [
      resolve(file),
      s.mtimeMs,
      s.size,
      opts.width,
      opts.height,
      opts.channels,
      opts.fit ?? "fill",
    ];
    const hash = createHash("sha256").update(JSON.stringify(key)).digest("hex").slice(0, 32);
    return join(this.dir, hash.slice(0, 2), `${hash}.u8`);
  }

  /** The cached pixels, or undefined when absent (or of the wrong length). */
  async read(path: string, length: number): Promise<Uint8Array | undefined> {
    try {
      const data = await readFile(path);
      return data.length === length ? new Uint8Array(data.buffer, data.byteOffset, data.length) : undefined;
    } catch {
      return undefined;
    }
  }

  async write(path: string, pixels: Uint8Array): Promise<void> {
    this.ready ??= ensureStrataDir(this.dir, "cache");
    await this.ready;
    await writeFileAtomic(path, pixels);
  }
}
