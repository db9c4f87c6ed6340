import { readdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** strata's per-user folder: `$STRATA_HOME`, else `~/.strata`. */
export function strataHome(): string {
  const env = process.env.STRATA_HOME?.trim();
  return env ? env : join(homedir(), ".strata");
}

/** Where registered zoo models are cached: `<strata home>/zoo/<name>/`. */
export function zooCacheDir(): string {
  return join(strataHome(), "zoo");
}

/** The models shipped in the package: `packages/strata/zoo/` (src/models/zoo and dist/models/zoo are both 3 levels down). */
export function builtinZooDir(): string {
  return fileURLToPath(new URL("../../../zoo/", import.meta.url));
}

/** Total bytes of the regular files under `path` (a file or a folder, recursively). */
export async function diskBytes(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isFile() || entry.isDirectory()) total += await diskBytes(join(path, entry.name));
  }
  return total;
}
