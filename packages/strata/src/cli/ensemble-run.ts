import { availableParallelism } from "node:os";
import type { EnsembleFitOptions } from "../estimators/ensemble.js";
import type { JobEvent } from "../parallel/pool.js";
import type { Params } from "../util/params.js";
import type { ModelFit } from "../workflow/run-record.js";
import type { Output } from "./output.js";

/**
 * An ensemble's fit options from the command line: --jobs, what every member gets (how images
 * are read here), and one progress line per finished member fit (with an ETA), since the members'
 * own epoch bars would interleave across processes.
 */
export function ensembleFitOptions(
  o: { jobs?: number; queue?: string },
  out: Output,
  memberOptions: Params = {},
): EnsembleFitOptions {
  const defined = Object.fromEntries(Object.entries(memberOptions).filter(([, v]) => v !== undefined));
  return {
    jobs: o.jobs,
    memberOptions: defined,
    onJob: jobProgress(o, out),
    ...(o.queue ? { queue: { url: o.queue } } : {}),
  };
}

/**
 * One progress line per finished job (a member fit, a fold, a compared model) with an ETA, and
 * with a queue the worker that ran it. Jobs run `--jobs` at a time locally; on a queue, as many
 * at a time as workers have answered so far.
 */
export function jobProgress(o: { jobs?: number; queue?: string }, out: Output): (e: JobEvent) => void {
  const started = performance.now();
  const workers = new Set<string>();
  return (e) => {
    if (e.worker) workers.add(e.worker);
    const elapsed = (performance.now() - started) / 1000;
    const atOnce = Math.max(1, o.queue ? workers.size : (o.jobs ?? availableParallelism()));
    // Those not started yet take rounds of about a round's mean time.
    const waiting = Math.max(0, e.total - e.done - atOnce);
    const round = elapsed / Math.ceil(e.done / atOnce);
    const eta =
      waiting > 0
        ? `; ${waiting} not started: about ${formatSeconds(Math.ceil(waiting / atOnce) * round)} after the running ones`
        : "";
    const on = e.worker ? ` on ${e.worker}` : "";
    out.note(
      `[${e.done}/${e.total}] ${e.label}: ${e.seconds.toFixed(1)} s${on} (${formatSeconds(elapsed)} in all)${eta}`,
    );
  };
}

/** "42 s" or "3 min 5 s". */
function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The members' own test scores beside the ensemble's, one line each. */
export function printMembers(out: Output, fit: ModelFit): void {
  if (!fit.members) return;
  const width = Math.max(8, ...fit.members.map((m) => m.name.length));
  const logLoss = Number.isFinite(fit.report.logLoss) ? fit.report.logLoss : Number.NaN;
  out.result(`${"member".padEnd(width)}  accuracy  log loss  fit s`);
  for (const m of fit.members)
    out.result(
      `${m.name.padEnd(width)}  ${m.accuracy.toFixed(4).padStart(8)}  ${m.logLoss.toFixed(4).padStart(8)}  ${(m.fitSeconds ?? Number.NaN).toFixed(1).padStart(5)}`,
    );
  out.result(
    `${fit.model.padEnd(width)}  ${fit.report.accuracy.toFixed(4).padStart(8)}  ${logLoss.toFixed(4).padStart(8)}  ${fit.summary.seconds.toFixed(1).padStart(5)}`,
  );
}
