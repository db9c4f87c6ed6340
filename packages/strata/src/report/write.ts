import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { METRICS_JSON, REPORT_HTML } from "../workflow/model-dir.js";

/**
 * Writes a run's report.html and metrics.json into `dir` (created if needed; other files in it
 * are left alone), each atomically. For commands whose output is a report rather than a model
 * directory (cv, compare).
 */
export async function writeReportFiles(dir: string, metrics: object, html: string): Promise<void> {
  await writeFileAtomic(join(dir, METRICS_JSON), `${JSON.stringify(metrics, null, 2)}\n`);
  await writeFileAtomic(join(dir, REPORT_HTML), html);
}
