import { stringify } from "csv-stringify/sync";
import { type RawTable, readCsv } from "../data/csv.js";
import type { Frame } from "../data/frame.js";
import { RowError } from "../data/row-error.js";
import { csvReadOptions } from "../data/schema.js";
import { toFrame } from "../data/tabular.js";
import { StrataError } from "../errors.js";
import type { Regressor } from "../estimators/regressor.js";
import type { RegressorVotes } from "../estimators/regressor-ensemble.js";
import { checkContributions } from "../explain/contributions.js";
import { writeFileAtomic } from "../util/atomic.js";
import { loadCsvDataset } from "../workflow/dataset.js";
import { loadTableModelDir, readSchema } from "../workflow/model-dir.js";
import { explainRegressorRows, WHY_COLUMN } from "./explain-rows.js";
import { cliNote } from "./flag-names.js";
import type { Output } from "./output.js";
import { formatScore, printEvaluation } from "./regression-text.js";

/*
 * evaluate and predict for a saved regressor (issue 24): one `prediction` column per row, each
 * ensemble member's prediction beside the combined one with --votes, and RMSE, MAE and R² beside
 * the training mean's.
 */

/** A saved table regressor with what predict and evaluate need of its directory. */
async function loadRegressorDir(
  dir: string,
): Promise<{ model: Regressor<Frame>; schema: Awaited<ReturnType<typeof loadTableModelDir>>["schema"] }> {
  const loaded = await loadTableModelDir(dir);
  if (loaded.task !== "regression") {
    loaded.model.dispose();
    throw new Error(`${dir}: expected a regressor`);
  }
  return { model: loaded.model, schema: loaded.schema };
}

/** strata evaluate DIR DATA for a regressor: its scores on DATA's rows, beside the training mean's. */
export async function evaluateRegressor(
  dir: string,
  data: string,
  o: { header: boolean },
  out: Output,
  backend: string,
): Promise<void> {
  const { model, schema } = await loadRegressorDir(dir);
  try {
    const rows = loadCsvDataset(data, { header: o.header, task: "regression" }, schema);
    for (const n of rows.notes) out.note(`note: ${cliNote(n)}`);
    const actual = rows.values as Float64Array;
    const predicted = await namingRows(data, undefined, () => model.predict(rows.frame));
    printEvaluation(out, { dir, data, backend, unit: "rows" }, actual, predicted);
  } finally {
    model.dispose();
  }
}

/** What strata predict takes for a table regressor. */
export interface RegressorPredictOptions {
  out?: string;
  keep?: string[];
  header: boolean;
  votes?: boolean;
  json?: boolean;
  explain?: boolean;
  /** "onnx": the model's exported graph in ONNX Runtime; otherwise strata's own runtime. */
  runtime?: string;
}

/**
 * strata predict DIR DATA for a regressor: the CSV of --keep columns and `prediction`
 * (to --out, else stdout), or with --votes each member's prediction beside the combined one.
 */
export async function predictRegressor(
  dir: string,
  inputs: readonly string[],
  o: RegressorPredictOptions,
  out: Output,
): Promise<void> {
  if (inputs.length !== 1)
    throw new StrataError(`a table model predicts one CSV file, got ${inputs.length} paths`);
  if (o.explain && o.votes)
    throw new StrataError("--explain and --votes: give one (strata explain shows both for ensembles)");
  const file = inputs[0];
  const runner = o.runtime === "onnx" ? await onnxRunner(dir) : await strataRunner(dir);
  try {
    if (o.votes && !runner.votes)
      throw new StrataError(
        `--votes shows an ensemble's members' predictions; ${dir} holds a ${runner.kind} model (fit one with --model vote or --model stack)`,
      );
    const schema = await readSchema(dir);
    const table = readCsv(file, { header: o.header, ...csvReadOptions(schema) });
    const frame = toFrame(table, schema.features);
    const keep = keepColumns(file, table, o.keep);
    const label = (i: number) =>
      keep.length ? keep.map((j) => table.rows[i][j]).join(", ") : `row ${i + 1}`;
    if (o.votes) {
      if (o.out) throw new StrataError("--votes prints to the terminal; leave out --out");
      const votes = await namingRows(file, table, () => runner.predictVotes(frame, table));
      printRegressionVotes(out, votes, runner.kind, table.rows.length, label);
      return;
    }
    const model = runner.model;
    if (o.explain && model) checkContributions(model);
    const predicted = await namingRows(file, table, () => runner.predict(frame, table));
    // Each row's three columns that moved its prediction most, from the predictions just made.
    const why =
      o.explain && model
        ? (
            await namingRows(file, table, () => explainRegressorRows(model, frame, frame.nRows, predicted))
          ).rows.map((r) =>
            r.top
              .slice(0, 3)
              .map(([f, v]) => `${f} ${v >= 0 ? "+" : "-"}${Math.abs(v).toPrecision(3)}`)
              .join("; "),
          )
        : undefined;
    // One number per row, named as the issue and the README name it (a classifier's is predicted_<target>).
    const header = [...(o.keep ?? []), "prediction", ...(why ? [WHY_COLUMN] : [])];
    const records = Array.from(predicted, (p, i) => [
      ...keep.map((j) => table.rows[i][j]),
      String(p),
      ...(why ? [why[i]] : []),
    ]);
    const csv = stringify([header, ...records]);
    if (o.out) {
      await writeFileAtomic(o.out, csv);
      out.note(`wrote ${records.length} predictions to ${o.out}`);
    } else process.stdout.write(csv);
  } finally {
    await runner.dispose();
  }
}

/** What predict needs of a saved regressor, whichever runtime runs it. */
interface ValueRunner {
  /** The saved model's kind (strata.json's). */
  readonly kind: string;
  /** True for an ensemble: each member's predictions can be shown. */
  readonly votes: boolean;
  predict(frame: Frame, table: RawTable): Promise<Float64Array>;
  predictVotes(frame: Frame, table: RawTable): Promise<RegressorVotes>;
  /** The regressor in strata's own runtime (what --explain explains). */
  readonly model?: Regressor<Frame>;
  dispose(): Promise<void>;
}

async function strataRunner(dir: string): Promise<ValueRunner> {
  const { model } = await loadRegressorDir(dir);
  return {
    kind: model.kind,
    votes: hasVotes(model),
    predict: (frame) => model.predict(frame),
    predictVotes: (frame) => (model as Regressor<Frame> & RegressorVoter).predictVotes(frame),
    model,
    dispose: async () => model.dispose(),
  };
}

/** The regressor's graph, exported in memory, in ONNX Runtime (loaded only here). */
async function onnxRunner(dir: string): Promise<ValueRunner> {
  const { OnnxPredictor } = await import("../export/onnx-runtime.js");
  const predictor = await OnnxPredictor.open(dir);
  const { exported } = predictor;
  return {
    kind: exported.kind,
    votes: exported.votes.length > 0,
    predict: async (frame, table) => (await predictor.predictValues(table, frame)).predictions,
    predictVotes: async (frame, table) => {
      const p = await predictor.predictValues(table, frame);
      return { members: p.members, combined: p.predictions };
    },
    dispose: () => predictor.release(),
  };
}

interface RegressorVoter {
  predictVotes(x: Frame): Promise<RegressorVotes>;
}

function hasVotes(model: Regressor<Frame>): model is Regressor<Frame> & RegressorVoter {
  return typeof (model as Partial<RegressorVoter>).predictVotes === "function";
}

/** Each row's members' predictions and the combined one: a table, or --json's list. */
function printRegressionVotes(
  out: Output,
  votes: RegressorVotes,
  kind: string,
  rows: number,
  label: (i: number) => string,
): void {
  const name = kind.replace(/-regressor$/, "");
  if (out.json) {
    out.emitJson(
      Array.from({ length: rows }, (_, i) => ({
        input: label(i),
        members: votes.members.map((m) => ({ name: m.name, prediction: m.predictions[i] })),
        combined: { name, prediction: votes.combined[i] },
      })),
    );
    return;
  }
  const names = [...votes.members.map((m) => m.name), name];
  const width = Math.max(10, ...names.map((n) => n.length));
  for (let i = 0; i < rows; i++) {
    out.result(label(i));
    for (const m of votes.members) out.result(`  ${m.name.padEnd(width)}  ${formatScore(m.predictions[i])}`);
    out.result(`  ${name.padEnd(width)}  ${formatScore(votes.combined[i])}  (combined)`);
  }
}

/** Runs `work` on the rows of `table`; a RowError names the file's line (the file alone without a table). */
async function namingRows<T>(file: string, table: RawTable | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof RowError) throw e.at(file, table?.lines[e.row]);
    throw e;
  }
}

/** The indices of the --keep columns (a StrataError naming a missing one). */
function keepColumns(file: string, table: RawTable, names: readonly string[] = []): number[] {
  return names.map((name) => {
    const j = table.columns.indexOf(name);
    if (j === -1)
      throw new StrataError(
        `${file}: --keep column "${name}" not found; the columns are: ${table.columns.join(", ")}`,
      );
    return j;
  });
}
