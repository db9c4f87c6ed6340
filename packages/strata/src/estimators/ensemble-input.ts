import { Frame } from "../data/frame.js";
import { type ColumnSpec, namingPlainRows, type TableData, tableFrame } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { takeRows } from "../util/matrix.js";
import type { ImageInput, InputKind, ReadablePrediction } from "./estimator.js";
import { type ImageData, withImageFiles } from "./pixel-buffers.js";

/** What an ensemble takes: a table (a Frame or plain rows) or images (files or pixel buffers), as its members do. */
export type EnsembleInput = TableData | ImageData;
/** X inside an ensemble: plain rows are made a Frame, and pixel buffers image files, where they come in. */
export type MemberInput = Frame | ImageInput;

/**
 * Runs `work` on X as an ensemble's members take it (`input`): a table ensemble's plain rows as a
 * Frame (checked against `columns`, the fit's, when given), a bad row named as `rows[i]`; an
 * image ensemble's pixel buffers written to temporary image files for the time of `work`, which
 * `name` maps back to `images[i]`. X of the other kind is refused, naming `owner`.
 */
export async function withMemberInput<T>(
  owner: string,
  input: InputKind,
  x: EnsembleInput,
  work: (x: MemberInput, name: (file: string) => string) => Promise<T>,
  columns?: readonly ColumnSpec[],
): Promise<T> {
  const same = (file: string) => file;
  if (input === "images") {
    if (x instanceof Frame) throw wrongInput(owner, input, true);
    return withImageFiles(x as ImageData, work);
  }
  if (x instanceof Frame) return work(x, same);
  // A list of strings is image files, whatever else the list might be.
  const list = x as readonly unknown[];
  if (Array.isArray(list) && list.length > 0 && typeof list[0] === "string")
    throw wrongInput(owner, input, false);
  return namingPlainRows(x as TableData, () => work(tableFrame(x as TableData, columns), same));
}

function wrongInput(owner: string, input: InputKind, table: boolean): StrataError {
  return new StrataError(
    `${owner}: its members take ${input === "table" ? "a table (a Frame or rows)" : "image files"}, got ${table ? "a table" : "a list"}`,
  );
}

/**
 * The members' readable predictions on the inputs every member could read (an unreadable image
 * is left out by all if one left it out): each member's probabilities for those, their indices
 * into X, and each input left out with the first reason given.
 */
export function commonlyReadable(
  predictions: readonly ReadablePrediction[],
): Omit<ReadablePrediction, "proba"> & { readonly proba: ReadablePrediction["proba"][] } {
  const readable = new Set(predictions[0].kept);
  for (const p of predictions.slice(1)) {
    const k = new Set(p.kept);
    for (const i of readable) if (!k.has(i)) readable.delete(i);
  }
  const kept = [...readable].sort((a, b) => a - b);
  const skipped = new Map<string, string>();
  for (const p of predictions)
    for (const s of p.skipped) if (!skipped.has(s.input)) skipped.set(s.input, s.reason);
  const proba = predictions.map((p) => {
    const position = new Map(p.kept.map((i, r) => [i, r]));
    return takeRows(
      p.proba,
      kept.map((i) => position.get(i)!),
    );
  });
  return { proba, kept, skipped: [...skipped].map(([input, reason]) => ({ input, reason })) };
}
