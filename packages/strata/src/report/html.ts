import type { EpochRecord } from "../estimators/estimator.js";
import type { MetricsJson } from "../workflow/results.js";

export interface ReportInput {
  readonly title: string;
  readonly result: MetricsJson & { nTrain?: number; nTest?: number; fitSeconds?: number; backend?: string };
  readonly history?: readonly EpochRecord[];
}

/** A self-contained HTML page (no scripts, no external files): metrics, per-class table, confusion matrix, learning curves. */
export function renderReport({ title, result, history }: ReportInput): string {
  const headline: [string, string][] = [
    ["accuracy", pct(result.accuracy)],
    ["balanced accuracy", pct(result.balancedAccuracy)],
    ["macro F1", result.macroF1.toFixed(4)],
    ["log loss", result.logLoss === null ? "–" : result.logLoss.toFixed(4)],
  ];
  if (result.rocAuc !== undefined) headline.push(["ROC AUC", result.rocAuc.toFixed(4)]);
  if (result.nTrain !== undefined) headline.push(["train rows", String(result.nTrain)]);
  if (result.nTest !== undefined) headline.push(["test rows", String(result.nTest)]);
  if (result.fitSeconds !== undefined)
    headline.push(["fit", `${result.fitSeconds.toFixed(1)} s (${result.backend})`]);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222;max-width:60em}
table{border-collapse:collapse;margin:1em 0}td,th{padding:.3em .7em;border:1px solid #ddd;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}h1{font-size:1.4em}
</style></head><body>
<h1>${esc(title)}</h1>
<table>${headline.map(([k, v]) => `<tr><th class="l">${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>
<h2>Per class (test split)</h2>
<table><tr><th class="l">class</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>
${result.perClass.map((c) => `<tr><td class="l">${esc(c.label)}</td><td>${c.precision.toFixed(3)}</td><td>${c.recall.toFixed(3)}</td><td>${c.f1.toFixed(3)}</td><td>${c.support}</td></tr>`).join("\n")}
</table>
<h2>Confusion matrix</h2><p>Rows: true class; columns: predicted class. Shade: share of the row.</p>
${confusionTable(result.labels, result.confusionMatrix)}
${history && history.length > 1 ? `<h2>Learning curves</h2>${curves(history)}` : ""}
</body></html>
`;
}

function confusionTable(labels: readonly string[], cm: readonly (readonly number[])[]): string {
  const head = `<tr><th class="l">true \\ predicted</th>${labels.map((l) => `<th>${esc(l)}</th>`).join("")}</tr>`;
  const rows = cm.map((row, t) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    const cells = row.map((v) => `<td style="background:rgba(31,119,180,${(0.85 * v) / total})">${v}</td>`);
    return `<tr><th class="l">${esc(labels[t])}</th>${cells.join("")}</tr>`;
  });
  return `<table>${head}${rows.join("")}</table>`;
}

/** Loss and accuracy per epoch as two small inline SVG line charts. */
function curves(history: readonly EpochRecord[]): string {
  const chart = (name: string, train: number[], val: (number | undefined)[]) => {
    const w = 420;
    const h = 180;
    const pad = 30;
    const all = [...train, ...val.filter((v): v is number => v !== undefined)].filter(Number.isFinite);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const x = (i: number) => pad + (i / Math.max(1, train.length - 1)) * (w - 2 * pad);
    const y = (v: number) => h - pad - ((v - lo) / (hi - lo || 1)) * (h - 2 * pad);
    const line = (vs: (number | undefined)[], color: string) => {
      const pts = vs.flatMap((v, i) =>
        v === undefined || !Number.isFinite(v) ? [] : [`${x(i).toFixed(1)},${y(v).toFixed(1)}`],
      );
      return pts.length > 1
        ? `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(" ")}"/>`
        : "";
    };
    return `<figure><figcaption>${name}: <span style="color:#1f77b4">train</span>, <span style="color:#ff7f0e">validation</span> (${lo.toFixed(3)}–${hi.toFixed(3)}, epochs 1–${train.length})</figcaption>
<svg width="${w}" height="${h}" role="img" aria-label="${name} per epoch"><rect x="${pad}" y="${pad}" width="${w - 2 * pad}" height="${h - 2 * pad}" fill="none" stroke="#ccc"/>${line(train, "#1f77b4")}${line(val, "#ff7f0e")}</svg></figure>`;
  };
  return (
    chart(
      "loss",
      history.map((e) => e.loss),
      history.map((e) => e.valLoss),
    ) +
    chart(
      "accuracy",
      history.map((e) => e.accuracy),
      history.map((e) => e.valAccuracy),
    )
  );
}

function pct(v: number): string {
  return `${(100 * v).toFixed(2)}%`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
