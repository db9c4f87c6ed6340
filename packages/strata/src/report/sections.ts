import type { TopLevelSpec } from "vega-lite";
import type { Params } from "../estimators/estimator.js";
import { esc, table } from "./page.js";
import { renderSvg } from "./svg.js";
import type { Timing } from "./types.js";

/* Parts of the report page that a classifier's and a regressor's report share. */

/** A chart as a figure: Vega-Lite rendered to inline SVG (`edit` may rewrite the SVG, e.g. to shorten it). */
export async function chart(
  name: string,
  spec: TopLevelSpec,
  edit: (svg: string) => string = (svg) => svg,
): Promise<string> {
  return `<figure class="chart" data-chart="${esc(name)}">${edit(await renderSvg(spec))}</figure>`;
}

/** The page's title and, under it, what ran in a few words joined by dots. */
export function pageHeader(title: string, bits: readonly string[], generatedAt?: string): string {
  const all = [...bits, ...(generatedAt ? [generatedAt.replace("T", " ").replace(/\.\d+Z$/, " UTC")] : [])];
  return `<header><h1>${esc(title)}</h1><p class="sub">${all.map(esc).join(" · ")}</p></header>`;
}

/** The command in words, for the header. */
export const COMMAND_WORDS = { fit: "fit", cv: "cross-validation", compare: "comparison" } as const;

/** The Data section's columns used and dropped, and what was decided on the way (tables). */
export function columnsAndNotes(d: {
  readonly features?: readonly string[];
  readonly dropped?: readonly { readonly name: string; readonly reason: string }[];
  readonly notes?: readonly string[];
}): string {
  const columns = d.features
    ? `<h3>Columns</h3><p><b>${d.features.length} used:</b> ${d.features.map((f) => `<code>${esc(f)}</code>`).join(" ")}</p>` +
      (d.dropped?.length
        ? `<p><b>${d.dropped.length} dropped:</b></p><ul class="dropped">${d.dropped
            .map((c) => `<li><code>${esc(c.name)}</code>: ${esc(c.reason)}</li>`)
            .join("")}</ul>`
        : "<p>None dropped.</p>")
    : "";
  const notes = d.notes?.length
    ? `<h3>Notes</h3><ul>${d.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>`
    : "";
  return columns + notes;
}

/** The Settings section: each model's facts and params, then the backend and the timings. */
export function settingsSection(
  runs: readonly {
    readonly name: string;
    readonly params: Params;
    readonly facts: readonly (readonly [string, string])[];
  }[],
  backend: string,
  timings: readonly Timing[],
): string {
  const params = runs.map((r) => {
    // A value JSON cannot say (undefined) shows as a dash rather than failing the report.
    const rows = Object.entries(r.params).map(([k, v]) => [
      k,
      typeof v === "string" ? v : (JSON.stringify(v) ?? "–"),
    ]);
    const facts = r.facts.map(([k, v]) => [k, v ?? "–"]);
    return `<div><h3>${esc(r.name)}</h3>${table([], [...facts, ...rows], "facts params")}</div>`;
  });
  const times = table(
    [],
    timings.map((t) => [t.label, `${t.seconds.toFixed(1)} s`]),
    "facts",
  );
  return `<section data-section="settings"><h2>Settings</h2><div class="cols">${params.join("")}<div><h3>Run</h3>${table(
    [],
    [["backend", backend]],
    "facts",
  )}${times}</div></div></section>`;
}
