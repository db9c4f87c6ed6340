import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeDirAtomic, writeJson } from "../util/atomic.js";
import { writeDirManifest } from "../util/strata-dirs.js";
import { METRICS_JSON, REPORT_HTML } from "../workflow/model-dir.js";

/**
 * Writes a run's report folder for commands whose output is a report rather than a model
 * directory (cv, compare): report.html, metrics.json and the folder's manifest, atomically. The
 * folder is replaced only if it is new, empty or a report folder strata wrote (see strata-dirs.ts).
 */
export async function writeReportFiles(dir: string, metrics: object, html: string): Promise<void> {
  await writeDirAtomic(
    dir,
    async (tmp) => {
      await writeDirManifest(tmp, "report");
      await writeJson(join(tmp, METRICS_JSON), metrics);
      await writeFile(join(tmp, REPORT_HTML), html);
    },
    "report",
  );
}

/**
 * Writes a report folder whose files the caller makes (`fill` writes them into the temporary
 * folder, given its path), with the folder's manifest, atomically and under the same rule.
 */
export async function writeReportDir(dir: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  await writeDirAtomic(
    dir,
    async (tmp) => {
      await writeDirManifest(tmp, "report");
      await fill(tmp);
    },
    "report",
  );
}
