/**
 * Prints a summary table from the JSON lines the benchmarks emit (bench/run.sh collects them).
 *
 * Usage: node --import tsx bench/summary.ts RESULTS.jsonl
 */
import { readFileSync } from "node:fs";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const numOrNull = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);

function fmt(x: number | null, digits = 4): string {
  if (x === null) return "–";
  if (Math.abs(x) >= 10 ** digits) return x.toFixed(0);
  return Number(x.toPrecision(digits)).toString();
}

function fallbacksOf(r: Json): string {
  const f = r.fallbacks;
  if (!isObject(f)) return "?";
  const parts = Object.entries(f).map(([k, v]) => `${k} ${typeof v === "number" ? v : "?"}`);
  return parts.length ? parts.join(", ") : "none";
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n");
}

const file = process.argv[2];
if (!file) {
  console.error("usage: summary.ts RESULTS.jsonl");
  process.exit(2);
}

const results: Json[] = [];
for (const line of readFileSync(file, "utf8").split("\n")) {
  if (!line.trim()) continue;
  try {
    const parsed: unknown = JSON.parse(line);
    if (isObject(parsed)) results.push(parsed);
  } catch {
    // a failed benchmark's last line; run.sh has already reported it
  }
}

const rows: string[][] = [];
const memoryRows: string[][] = [];
for (const r of results) {
  const bench = str(r.bench, "?");
  const threads = String(numOrNull(r.threads) ?? "?");
  if (bench === "memory") {
    const samples = Array.isArray(r.samples) ? r.samples.filter(isObject) : [];
    const rss = samples.map((s) => numOrNull(s.rssMiB));
    memoryRows.push([
      threads,
      String(samples.length ? (numOrNull(samples[samples.length - 1].step) ?? "?") : "?"),
      fmt(rss.find((v, i) => i > 0 && v !== null) ?? null),
      fmt(rss[rss.length - 1] ?? null),
      fmt(numOrNull(r.rssGrowthMiB), 3),
      String(numOrNull(r.tensorGrowth) ?? "?"),
      String(numOrNull(r.nativeHandleGrowth) ?? "?"),
      fmt(numOrNull(r.msPerStep), 3),
      fallbacksOf(r),
    ]);
    continue;
  }
  const ms = Array.isArray(r.measurements) ? r.measurements.filter(isObject) : [];
  for (const m of ms) {
    const ratio = numOrNull(m.ratio);
    rows.push([
      bench,
      threads,
      str(m.name),
      str(m.unit),
      fmt(numOrNull(m.strata)),
      fmt(numOrNull(m.pytorch)),
      ratio === null ? "–" : `${fmt(ratio, 3)}x`,
      numOrNull(m.ort) === null ? "–" : `${fmt(numOrNull(m.ort))} (${numOrNull(m.ortThreads) ?? "?"} thr)`,
      String(numOrNull(m.kernelsPerStep) ?? numOrNull(r.kernelsPerStep) ?? "–"),
      fallbacksOf(r),
    ]);
  }
}

console.log(
  "strata/PyTorch: strata's time over PyTorch's (>1: strata is slower; rates are inverted to match); " +
    "for the peak-RSS rows, memory over memory. ORT: ONNX Runtime (Node) on torchvision's model.",
);
console.log(
  table(
    [
      "bench",
      "T",
      "measurement",
      "unit",
      "strata",
      "PyTorch",
      "strata/PyTorch",
      "ORT",
      "kernels/step",
      "fallbacks (timed part)",
    ],
    rows,
  ),
);
if (memoryRows.length) {
  console.log("");
  console.log(
    table(
      [
        "T",
        "steps",
        "rss MiB (1st sample)",
        "rss MiB (last)",
        "rss growth MiB",
        "tensor growth",
        "handle growth",
        "ms/step",
        "fallbacks",
      ],
      memoryRows,
    ),
  );
}
