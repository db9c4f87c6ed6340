import type { Frame } from "../data/frame.js";
import { RowError } from "../data/row-error.js";
import { StrataError } from "../errors.js";
import type { Classifier } from "../estimators/estimator.js";
import { permutationImportance } from "../explain/permutation.js";
import type { ImportanceResult } from "../explain/types.js";
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

/** What a permutation importance measures, said once wherever it is shown. */
export const IMPORTANCE_MEANING =
  "the drop in accuracy when the column's values are shuffled across the rows, the other columns kept: how much the model relies on it. Columns that carry the same information share it, so each can look unimportant alone: shuffle them together with --together a,b.";

/** Permutation importance of the table model in `dir` on the labelled rows of `file`. */
export async function explainTableModel(
  model: Classifier<Frame>,
  dir: string,
  file: string,
  o: TableExplainOptions,
  out: Output,
): Promise<TableExplanation> {
  const schema = await readSchema(dir);
  let rows = loadCsvDataset(file, { header: o.header }, schema);
  for (const n of rows.notes) out.note(`note: ${cliNote(n)}`);
  checkTestLabels(rows, model.classes);
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
    const result = await permutationImportance(model, rows.frame, rows.y, {
      repeats: o.repeats,
      seed: o.seed,
      together: o.together,
      onProgress: progress.update,
    });
    return { ...result, data: file, trainingRows, meaning: IMPORTANCE_MEANING, frame: rows.frame };
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
