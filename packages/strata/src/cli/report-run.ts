import { join, relative } from "node:path";
import { runReport } from "../report/build.js";
import { renderReport } from "../report/html.js";
import { writeReportFiles } from "../report/write.js";
import { REPORT_HTML } from "../workflow/model-dir.js";
import type { RunRecord } from "../workflow/run-record.js";
import type { Output } from "./output.js";

/**
 * How cv and compare end, whatever they ran: with --out, the report folder (report.html and
 * metrics.json, the --json object); with --json, that object; otherwise `print` and the report's
 * path.
 */
export async function finishReportRun(
  record: RunRecord,
  json: object,
  o: { out?: string },
  out: Output,
  print: () => void,
): Promise<void> {
  if (o.out) {
    const report = await runReport(record, { elapsedSeconds: process.uptime() });
    await writeReportFiles(o.out, { ...json, out: o.out }, await renderReport(report));
  }
  if (out.json) {
    out.emitJson(o.out ? { ...json, out: o.out } : json);
    return;
  }
  print();
  if (o.out) out.result(`report: ${join(relative(process.cwd(), o.out) || ".", REPORT_HTML)}`);
}
