/**
 * The dense classifier's defaults across tables (issue 23): for every table in ../shared/data
 * (Spotify, Pima, the two wine-quality sets, sonar, ionosphere, banknote, scikit-learn's breast
 * cancer, iris, wine and digits), the DenseClassifier under each named param set, for seeds 0..4,
 * as `strata cv <file> --folds 5 --seed S` runs it (workflow/cross-validate.ts on kFold's
 * stratified folds; the params' seed is S too). Spotify is grouped by track_artist after keeping
 * the first row per track_id, as the README's demo; its 5-fold CV is slow at one thread, so by
 * default it gets the demo's own measure instead: `strata fit`'s artist-grouped 80/20 hold-out
 * split and test accuracy, per seed (BENCH_DD_SPOTIFY=cv for grouped 5-fold CV).
 *
 * Per table and param set: the mean over seeds of each seed's score (the CV's mean fold accuracy,
 * or the hold-out test accuracy), its spread (the standard deviation of the seeds' scores, n-1),
 * mean epochs and seconds. Every fit's result is appended as a JSON line to BENCH_DD_OUT, and a
 * result already there is not run again: runs can be split across processes and resumed; the
 * table printed at the end covers every line in the file.
 *
 * Env:
 * - BENCH_DD_CONFIGS: `name:param=value,…;name:…` (values are JSON, or text), default
 *   `A:learningRate=0.001,dropout=0.1;B:learningRate=0.002,dropout=0.2`; `name:` alone is
 *   strata's current defaults.
 * - BENCH_DD_ONLY: comma-separated table names (default: all), BENCH_DD_SEEDS (5), BENCH_DD_FOLDS (5),
 * - BENCH_DD_SPOTIFY: holdout (default) or cv, BENCH_DD_OUT (/tmp/strata-dense-defaults.jsonl),
 * - BENCH_DD_TABLE_ONLY=1: print the table of BENCH_DD_OUT (and BENCH_DD_MORE's files) without fitting,
 * - BENCH_DD_CHOSEN: a param set to compare with A and B: its mean less theirs, "(worse)" where it
 *   falls short by more than the larger of the two spreads.
 *
 * Run: `TBT_NUM_THREADS=1 OMP_NUM_THREADS=1 nice -n 10 node --import tsx bench/dense_defaults.ts`.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import type { DenseClassifierParams } from "../packages/strata/src/estimators/dense.js";
import type { CsvDataset } from "../packages/strata/src/workflow/dataset.js";
import { envFlag, envInt, fmt } from "./common.js";

process.env.TBT_NUM_THREADS ??= "1";
const DATA = fileURLToPath(new URL("../../shared/data/", import.meta.url));
const OUT = process.env.BENCH_DD_OUT ?? "/tmp/strata-dense-defaults.jsonl";
const SEEDS = envInt("BENCH_DD_SEEDS", 5);
const FOLDS = envInt("BENCH_DD_FOLDS", 5);
const SPOTIFY_CV = (process.env.BENCH_DD_SPOTIFY ?? "holdout") === "cv";

/** A table of ../shared/data and how to read it (each folder's PROVENANCE.md). */
interface Table {
  readonly name: string;
  readonly file: string;
  /** The target column; absent: the last one. */
  readonly target?: string;
  /** false: no header row (columns c0, c1, …). */
  readonly header?: boolean;
  /** scikit-learn's CSVs start with a line of sizes and class names, not column names. */
  readonly metaLine?: boolean;
  readonly gzip?: boolean;
  readonly group?: string;
  readonly dropDuplicates?: string;
}

const TABLES: readonly Table[] = [
  {
    name: "spotify",
    file: "spotify_songs/spotify_songs.csv",
    target: "playlist_genre",
    group: "track_artist",
    dropDuplicates: "track_id",
  },
  { name: "pima", file: "pima_diabetes/pima-indians-diabetes.csv", target: "outcome" },
  { name: "wine-red", file: "wine_quality/winequality-red.csv", target: "quality" },
  { name: "wine-white", file: "wine_quality/winequality-white.csv", target: "quality" },
  { name: "sonar", file: "jbrownlee_extra/sonar.csv", header: false },
  { name: "ionosphere", file: "jbrownlee_extra/ionosphere.csv", header: false },
  { name: "banknote", file: "jbrownlee_extra/banknote_authentication.csv", header: false },
  { name: "breast-cancer", file: "sklearn_classic/breast_cancer.csv", header: false, metaLine: true },
  { name: "iris", file: "sklearn_classic/iris.csv", header: false, metaLine: true },
  { name: "wine", file: "sklearn_classic/wine_data.csv", header: false, metaLine: true },
  { name: "digits", file: "sklearn_classic/digits.csv.gz", header: false, gzip: true },
];

type Overrides = Partial<DenseClassifierParams>;

interface Config {
  readonly name: string;
  readonly params: Overrides;
}

/** One table, one param set, one seed. */
interface Result {
  readonly table: string;
  readonly config: string;
  readonly params: Overrides;
  readonly seed: number;
  readonly rows: number;
  /** Mean fold accuracy (CV) or test accuracy (hold-out). */
  readonly accuracy: number;
  readonly measure: "cv" | "holdout";
  readonly epochs: number;
  readonly seconds: number;
}

function parseConfigs(spec: string): Config[] {
  return spec
    .split(";")
    .filter((s) => s.trim() !== "")
    .map((part) => {
      const [name, body = ""] = part.split(":");
      const params: Record<string, unknown> = {};
      for (const pair of body.split(",").filter((s) => s.trim() !== "")) {
        const [key, raw] = pair.split("=");
        params[key.trim()] = parseValue(raw.trim());
      }
      return { name: name.trim(), params: params as Overrides };
    });
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Reads a table, through a temporary plain CSV when it is gzipped or starts with scikit-learn's line of sizes. */
async function load(table: Table): Promise<CsvDataset> {
  const { loadCsvDataset } = await import("../packages/strata/src/workflow/dataset.js");
  const path = join(DATA, table.file);
  const options = {
    target: table.target,
    header: table.header,
    group: table.group,
    dropDuplicates: table.dropDuplicates,
  };
  if (!table.metaLine && !table.gzip) return loadCsvDataset(path, options);
  const dir = mkdtempSync(join(tmpdir(), "strata-dd-"));
  try {
    let text = table.gzip ? gunzipSync(readFileSync(path)).toString("utf8") : readFileSync(path, "utf8");
    if (table.metaLine) text = text.slice(text.indexOf("\n") + 1);
    const plain = join(dir, "table.csv");
    writeFileSync(plain, text);
    return loadCsvDataset(plain, options);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runOne(table: Table, data: CsvDataset, config: Config, seed: number): Promise<Result> {
  const { DenseClassifier, encodeLabels, accuracy, kFold, argmaxRows, crossValidate, trainTestSplit } =
    await strata();
  const template = new DenseClassifier({ ...config.params, seed });
  const started = performance.now();
  const base = { table: table.name, config: config.name, params: config.params, seed, rows: data.y.length };
  try {
    if (table.name === "spotify" && !SPOTIFY_CV) {
      const { train, test } = trainTestSplit(data, { testSize: 0.2, seed });
      await template.fit(train.frame, train.y, { classes: data.labels, groups: train.groups });
      const predicted = argmaxRows(await template.predictProba(test.frame));
      return {
        ...base,
        accuracy: accuracy(encodeLabels(test.y, data.labels), predicted),
        measure: "holdout",
        epochs: template.fitSummary?.epochsRun ?? 0,
        seconds: (performance.now() - started) / 1000,
      };
    }
    const splits = kFold(data.y.length, { k: FOLDS, seed, stratify: data.y, groups: data.groups });
    const cv = await crossValidate(
      template,
      { x: data.frame, y: data.y, groups: data.groups },
      { splits, classes: data.labels },
    );
    return {
      ...base,
      accuracy: mean(cv.folds.map((f) => f.report.accuracy)),
      measure: "cv",
      epochs: mean(cv.folds.map((f) => f.summary.epochsRun)),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    template.dispose();
  }
}

/** The library, imported only to fit: the table of earlier results needs none of it. */
async function strata() {
  const [dense, labels, metrics, kfold, matrix, cv, dataset] = await Promise.all([
    import("../packages/strata/src/estimators/dense.js"),
    import("../packages/strata/src/estimators/labels.js"),
    import("../packages/strata/src/metrics/classification.js"),
    import("../packages/strata/src/split/kfold.js"),
    import("../packages/strata/src/util/matrix.js"),
    import("../packages/strata/src/workflow/cross-validate.js"),
    import("../packages/strata/src/workflow/dataset.js"),
  ]);
  return {
    DenseClassifier: dense.DenseClassifier,
    encodeLabels: labels.encodeLabels,
    accuracy: metrics.accuracy,
    kFold: kfold.kFold,
    argmaxRows: matrix.argmaxRows,
    crossValidate: cv.crossValidate,
    trainTestSplit: dataset.trainTestSplit,
  };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n-1); 0 for fewer than two values. */
function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Every result in BENCH_DD_OUT and the further files of BENCH_DD_MORE (comma-separated). */
function readResults(): Result[] {
  const files = [OUT, ...(process.env.BENCH_DD_MORE?.split(",") ?? [])].filter(
    (f) => f !== "" && existsSync(f),
  );
  return files.flatMap((f) =>
    readFileSync(f, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l) as Result),
  );
}

/** Mean and spread (std over seeds) of one param set's scores on one table. */
function summary(rs: readonly Result[]): { mean: number; spread: number } {
  const acc = rs.map((r) => r.accuracy);
  return { mean: mean(acc), spread: std(acc) };
}

/**
 * Whether `chosen` is no worse than each baseline beyond the seeds' spread: its mean is at least
 * the baseline's less the larger of the two spreads.
 */
function verdict(mine: readonly Result[], chosen: string, baselines: readonly string[]): string {
  const c = mine.filter((r) => r.config === chosen);
  if (c.length === 0) return "";
  const s = summary(c);
  const parts = baselines.flatMap((b) => {
    const rs = mine.filter((r) => r.config === b);
    if (rs.length === 0) return [];
    const base = summary(rs);
    const delta = s.mean - base.mean;
    const ok = delta >= -Math.max(s.spread, base.spread);
    return [`${delta >= 0 ? "+" : ""}${delta.toFixed(4)} vs ${b}${ok ? "" : " (worse)"}`];
  });
  return parts.join(", ");
}

/**
 * A markdown table: one row per table, per param set its mean ± spread over seeds (seed 0's
 * score, mean epochs, mean seconds per seed), and BENCH_DD_CHOSEN's margin over A and B.
 */
function printTable(results: readonly Result[]): void {
  const configs = [...new Set(results.map((r) => r.config))];
  const chosen = process.env.BENCH_DD_CHOSEN;
  const baselines = configs.filter((c) => c !== chosen && (c === "A" || c === "B"));
  const tables = TABLES.map((t) => t.name).filter((t) => results.some((r) => r.table === t));
  const header = [
    "table",
    "rows",
    "measure",
    ...configs.map((c) => `${c}: mean ± spread (seed 0; epochs, s)`),
    ...(chosen ? [`${chosen} − baseline`] : []),
  ];
  console.log(`| ${header.join(" | ")} |`);
  console.log(`| ${header.map(() => "---").join(" | ")} |`);
  for (const t of tables) {
    const mine = results.filter((r) => r.table === t);
    const cells = configs.map((c) => {
      const rs = mine.filter((r) => r.config === c);
      if (rs.length === 0) return "";
      const { mean: m, spread } = summary(rs);
      const seed0 = rs.find((r) => r.seed === 0)?.accuracy;
      const n = rs.length === SEEDS ? "" : ` [${rs.length} seeds]`;
      return `${m.toFixed(4)} ± ${spread.toFixed(4)} (${seed0?.toFixed(3) ?? "–"}; ${fmt(mean(rs.map((r) => r.epochs)), 3)}, ${fmt(mean(rs.map((r) => r.seconds)), 3)})${n}`;
    });
    if (chosen) cells.push(verdict(mine, chosen, baselines));
    console.log(`| ${t} | ${mine[0].rows} | ${mine[0].measure} | ${cells.join(" | ")} |`);
  }
  const named = new Map(results.map((r) => [r.config, r.params]));
  for (const [name, params] of named) console.log(`${name}: ${JSON.stringify(params)}`);
}

async function main(): Promise<void> {
  if (envFlag("BENCH_DD_TABLE_ONLY", false)) {
    printTable(readResults());
    return;
  }
  const configs = parseConfigs(
    process.env.BENCH_DD_CONFIGS ?? "A:learningRate=0.001,dropout=0.1;B:learningRate=0.002,dropout=0.2",
  );
  const only = process.env.BENCH_DD_ONLY?.split(",").map((s) => s.trim());
  const tables = TABLES.filter((t) => !only || only.includes(t.name));
  const done = new Set(readResults().map((r) => `${r.table}/${r.config}/${r.seed}`));
  console.log(
    `dense defaults: tables ${tables.map((t) => t.name).join(", ")}; configs ${configs.map((c) => c.name).join(", ")}; ` +
      `seeds 0..${SEEDS - 1}; TBT_NUM_THREADS=${process.env.TBT_NUM_THREADS}; results in ${OUT}`,
  );
  for (const table of tables) {
    const data = await load(table);
    for (const config of configs)
      for (let seed = 0; seed < SEEDS; seed++) {
        if (done.has(`${table.name}/${config.name}/${seed}`)) continue;
        const result = await runOne(table, data, config, seed);
        appendFileSync(OUT, `${JSON.stringify(result)}\n`);
        console.log(JSON.stringify(result));
      }
  }
  printTable(readResults());
}

await main();
