import type { TopLevelSpec } from "vega-lite";
import type { ImportanceResult } from "../explain/types.js";
import type { MetricsJson } from "../workflow/results.js";
import { mostConfused } from "./confused-pairs.js";
import { importanceSpec, importanceWords } from "./importance-chart.js";
import { lrFindSpec } from "./lr-chart.js";
import { esc, fixed, pct, table } from "./page.js";
import type { RunReport } from "./types.js";

type Chart = (name: string, spec: TopLevelSpec) => Promise<string>;

/** The most confused class pairs (multi-class runs with mistakes); empty otherwise. */
export function confusedSection(m: MetricsJson): string {
  if (m.labels.length < 3) return "";
  const pairs = mostConfused(m.labels, m.confusionMatrix);
  if (pairs.length === 0) return "";
  return `<section data-section="confused"><h3>Most confused classes</h3><p class="muted">The mistakes made most often: examples of the first class predicted as the second, and their share of that class.</p>${table(
    ["true class", "predicted as", "examples", "share of the class"],
    pairs.map((p) => [p.truth, p.predicted, String(p.count), pct(p.share, 1)]),
  )}</section>`;
}

/** Permutation importance on the scored rows: the chart, the figures, and what they mean. */
export async function importanceSection(r: ImportanceResult, chart: Chart): Promise<string> {
  const members = r.members ?? [];
  const words = importanceWords(r.metric);
  const heads = ["column", members.length ? "ensemble" : words.change, ...members.map((m) => m.name)];
  const rows = r.importance.map((f) => [
    f.feature,
    `${fixed(f.mean, 3)} ± ${fixed(f.std, 3)}`,
    ...members.map((m) => {
      const g = m.importance.find((x) => x.feature === f.feature);
      return g ? `${fixed(g.mean, 3)} ± ${fixed(g.std, 3)}` : "–";
    }),
  ]);
  return `<section data-section="importance"><h3>What the model relies on</h3><p class="muted">Permutation importance on the ${r.rows} scored rows (${esc(words.baseline(r.baseline))}, ${r.repeats} shuffle${r.repeats === 1 ? "" : "s"} per column): the ${esc(words.change)} when one column's values are shuffled across the rows, the others kept. It measures this model, not the world: columns that carry the same information share it, so each can look unimportant alone (<code>strata explain --together a,b</code> shuffles them as one).${
    members.length ? " Each member's figures are beside the ensemble's." : ""
  }</p>${await chart("importance", importanceSpec(r))}${table(heads, rows)}</section>`;
}

/** A `--lr auto` fit: the sweep that chose its learning rate (fastai's lr_find plot). */
export async function lrFindSection(lr: NonNullable<RunReport["lrFind"]>, chart: Chart): Promise<string> {
  const points = lr.points ?? [];
  const spec = lrFindSpec({ suggested: lr.chosen, rule: lr.rule, about: "", points, steps: points.length });
  return `<section data-section="lr-find"><h3>Learning rate</h3><p class="muted">--lr auto: the rate rose exponentially over ${points.length} training steps from fresh weights; the ${esc(lr.rule)} rule chose ${esc(lr.chosen.toPrecision(2))} (the longest stretch where the smoothed loss kept falling, two thirds of the way down it).</p>${await chart("lr-find", spec)}</section>`;
}
