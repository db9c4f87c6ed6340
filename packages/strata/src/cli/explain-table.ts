import type { Frame } from "../data/frame.js";
import { RowError } from "../data/row-error.js";
import { parseNumber } from "../data/values.js";
import { StrataError } from "../errors.js";
import type { Classifier } from "../estimators/estimator.js";
import type { Regressor } from "../estimators/regressor.js";
import { permutationImportance } from "../explain/permutation.js";
import type { ImportanceMetric, ImportanceResult } from "../explain/types.js";
import { checkTestLabels, loadCsvDataset, selectRows } from "../workflow/dataset.js";
import { readSchema } from "../workflow/model-dir.js";
import { trainingRowsAmong } from "../workflow/training-rows.js";
import { cliNote } from "./flag-names.js";
import type { Output } from "./output.js";

export interface TableExplainOptions {
  readonly header: boolean;
  readonly repeats: number;
  readonly seed: number;
  readonly together?: readonly (readonly string[])[];
  /** Only the rows the model was not trained on (its directory records which it was). */
  readonly heldOut?: boolean;
}

/** What `strata explain` found on a table: the importance, and how many of the rows were training rows. */
export interface TableExplanation extends ImportanceResult {
  readonly data: string;
  /** Rows of the data the model was trained on; null when the model directory does not say. */
  readonly trainingRows: number | null;
  readonly meaning: string;
  /** The rows explained (after --held-out), for per-row contributions. */
  readonly frame: Frame;
}

const SHARED =
  "Columns that carry the same information share it, so each can look unimportant alone: shuffle them together with --together a,b.";

/** What a permutation importance measures, said once wherever it is shown. */
export const IMPORTANCE_MEANING = `the drop in accuracy when the column's values are shuffled across the rows, the other columns kept: how much the model relies on it. ${SHARED}`;

/** The same for a regressor, whose score is the RMSE. */
export const RMSE_IMPORTANCE_MEANING = `the rise in RMSE (in the target's units) when the column's values are shuffled across the rows, the other columns kept: how much the model relies on it. ${SHARED}`;

/** What the importance under `metric` measures, in words. */
export function importanceMeaning(metric: ImportanceMetric): string {
  return metric === "rmse" ? RMSE_IMPORTANCE_MEANING : IMPORTANCE_MEANING;
}

/** A table model strata explain takes: a classifier or a regressor. */
export type TableModel = Classifier<Frame> | Regressor<Frame>;

function isRegressor(model: TableModel): model is Regressor<Frame> {
  return (model as Partial<Regressor<Frame>>).task === "regression";
}

/**
 * A regressor's targets as numbers: every kept row's (rows without one are already left out),
 * or a StrataError naming the file, the column and the first value that is not a number.
 */
function targetNumbers(file: string, target: string, y: readonly string[]): number[] {
  return y.map((cell, i) => {
    const v = parseNumber(cell);
    if (!Number.isFinite(v))
      throw new StrataError(
        `${file}: column ${target}, row ${i + 1} of those with a value: "${cell}" is not a number; the model is a regressor, explained on rows whose target is a number`,
      );
    return v;
  });
}

/** Permutation importance of the table model in `dir` on the labelled rows of `file`. */
export async function explainTableModel(
  model: TableModel,
  dir: string,
  file: string,
  o: TableExplainOptions,
  out: Output,
): Promise<TableExplanation> {
  const schema = await readSchema(dir);
  let rows = loadCsvDataset(file, { header: o.header }, schema);
  for (const n of rows.notes) out.note(`note: ${cliNote(n)}`);
  // A regressor's targets are numbers: a row that has none is named before any work.
  if (isRegressor(model)) targetNumbers(file, rows.schema.target, rows.y);
  else checkTestLabels(rows, model.classes);
  let training = await trainingRowsAmong(dir, rows.frame);
  if (o.heldOut) {
    if (training === null)
      throw new StrataError(
        `${dir} does not record its training rows (saved by an older strata), so --held-out cannot pick the others: give held-out rows instead`,
      );
    const keep = training.flatMap((t, i) => (t ? [] : [i]));
    if (keep.length < 2)
      throw new StrataError(
        `${file}: ${keep.length} of its ${rows.y.length} rows are held out from the model's training; need at least 2`,
      );
    out.note(
      `note: --held-out: ${keep.length} of the ${rows.y.length} rows, the ones the model was not trained on`,
    );
    rows = { ...rows, ...selectRows(rows, keep) };
    training = keep.map(() => false);
  }
  const trainingRows = training === null ? null : training.filter(Boolean).length;
  if (trainingRows === null)
    out.note(
      `note: ${dir} does not record its training rows (saved by an older strata): hold rows out yourself`,
    );
  else if (trainingRows > 0)
    out.note(
      `note: ${trainingRows} of the ${rows.y.length} rows are rows the model was trained on: importance on them says what the model learned, not what generalises; give held-out rows for that`,
    );
  const progress = progressLine(out);
  try {
    const options = { repeats: o.repeats, seed: o.seed, together: o.together, onProgress: progress.update };
    const result = isRegressor(model)
      ? await permutationImportance(
          model,
          rows.frame,
          targetNumbers(file, rows.schema.target, rows.y),
          options,
        )
      : await permutationImportance(model, rows.frame, rows.y, options);
    return {
      ...result,
      data: file,
      trainingRows,
      meaning: importanceMeaning(result.metric),
      frame: rows.frame,
    };
  } catch (e) {
    if (e instanceof RowError) throw e.at(file, undefined);
    throw e;
  } finally {
    progress.done();
  }
}

/** "shuffled 12/60" on a terminal's stderr, rewritten in place; nothing elsewhere or when quiet. */
function progressLine(out: Output): { update: (done: number, total: number) => void; done: () => void } {
  const tty = !out.quiet && Boolean(process.stderr.isTTY);
  let drawn = false;
  return {
    update: (done, total) => {
      if (!tty) return;
      process.stderr.write(`\rpermutation importance: ${done}/${total} shuffles`);
      drawn = true;
    },
    done: () => {
      if (drawn) process.stderr.write("\r\x1b[K");
    },
  };
}
