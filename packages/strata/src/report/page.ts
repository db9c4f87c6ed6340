/** HTML helpers and the stylesheet of the report page. */
import { VERSION } from "../version.js";

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function pct(v: number, digits = 2): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : "–";
}

export function fixed(v: number, digits = 4): string {
  return Number.isFinite(v) ? v.toFixed(digits) : "–";
}

/** A table of text cells (escaped); the first column is left-aligned, the others right-aligned. */
export function table(heads: readonly string[], rows: readonly (readonly string[])[], cls = ""): string {
  const head = heads.length
    ? `<thead><tr>${heads.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>`
    : "";
  const body = rows
    .map(
      (r) => `<tr>${r.map((c, j) => (j === 0 ? `<th>${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join("")}</tr>`,
    )
    .join("");
  return `<table${cls ? ` class="${cls}"` : ""}>${head}<tbody>${body}</tbody></table>`;
}

export const STYLE = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
main{max-width:1120px;margin:0 auto;padding:1.5em 2em 3em}
header h1{font-size:1.5em;margin:0 0 .2em}
.sub,.muted{color:#5b6470}.muted{font-size:.92em}
h2{font-size:1.2em;margin:1.6em 0 .5em;padding-top:.8em;border-top:1px solid #dde1e6}
h3{font-size:1.02em;margin:1.2em 0 .4em}
h2.run-title{font-size:1.35em}
section{margin:0}
.cards{display:flex;flex-wrap:wrap;gap:.8em;margin:1em 0 .3em}
.card{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:.6em 1em;min-width:8.5em}
.card .v{font-size:1.5em;font-weight:600}.card .k{color:#5b6470;font-size:.9em}
.cols{display:flex;flex-wrap:wrap;gap:1em 2.5em;align-items:flex-start}
table{border-collapse:collapse;margin:.4em 0;background:#fff}
td,th{padding:.28em .7em;border:1px solid #e3e6ea;text-align:right;font-variant-numeric:tabular-nums}
thead th{background:#eef1f4}tbody th{text-align:left;font-weight:500}
table.facts tbody th{color:#5b6470;font-weight:400}table.facts td{text-align:left}
table.params td{font-family:ui-monospace,monospace;font-size:.9em;max-width:32em;word-break:break-word}
code{font-family:ui-monospace,monospace;font-size:.9em;background:#eef1f4;padding:0 .25em;border-radius:3px}
ul.dropped{margin:.2em 0;padding-left:1.3em}
figure.chart{margin:.4em 0;background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:.6em;display:inline-block;max-width:100%;overflow-x:auto}
figure.chart svg{display:block;max-width:100%;height:auto}
.thumbs{display:flex;flex-wrap:wrap;gap:.6em}
figure.thumb{margin:0;background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:.35em;text-align:center;width:104px}
figure.thumb img{width:96px;height:96px;image-rendering:pixelated;display:block;margin:0 auto}
figure.thumb figcaption{font-size:.8em;margin-top:.25em;word-break:break-word}
.truth{color:#1a7f37}.pred{color:#c62828;font-weight:600}
footer{margin-top:3em;color:#8a929c;font-size:.85em}
@media print{body{background:#fff}figure.chart,.card{border-color:#ccc}}
`;

/**
 * A whole self-contained page: inline SVG and data: URIs only, and a Content-Security-Policy
 * that forbids scripts and every request, so it opens offline in any browser as it is.
 */
export function pageShell(title: string, body: string, footer: string, extraStyle = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="strata ${esc(VERSION)}">
<title>${esc(title)}</title>
<style>${STYLE}${extraStyle}</style></head><body><main>
${body}
<footer>${footer}</footer>
</main></body></html>
`;
}

/** A number in the target's units: 4 significant digits, whole numbers from 10,000 up. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return "–";
  return Math.abs(v) >= 1e4 ? Math.round(v).toLocaleString("en-US") : v.toPrecision(4);
}
