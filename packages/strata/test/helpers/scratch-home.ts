import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";

/**
 * A temporary folder for a whole test file, with STRATA_HOME inside it (so the zoo's
 * registrations and the feature caches are the file's own, never the user's): made before the
 * file's tests, then STRATA_HOME restored and the folder removed after them. `ready` gets its path.
 */
export function useScratchHome(prefix: string, ready: (dir: string) => void): void {
  let dir = "";
  let home: string | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    home = process.env.STRATA_HOME;
    process.env.STRATA_HOME = join(dir, "home");
    ready(dir);
  });
  after(() => {
    if (home === undefined) delete process.env.STRATA_HOME;
    else process.env.STRATA_HOME = home;
    rmSync(dir, { recursive: true, force: true });
  });
}
