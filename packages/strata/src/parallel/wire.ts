import { type Column, Frame } from "../data/frame.js";
import type { ImageInput, TableInput } from "../estimators/estimator.js";

/**
 * X as plain data that survives a process boundary (Node's "advanced" IPC serialisation, the
 * structured clone: typed arrays and arrays, no class instances): a table's columns, or image
 * files. What a job carries to whichever process (or, later, machine) runs it.
 */
export type WireInput =
  | {
      readonly kind: "table";
      readonly columns: readonly { readonly name: string; readonly column: Column }[];
    }
  | { readonly kind: "images"; readonly files: readonly string[] };

/** Labelled examples as plain data. */
export interface WireLabelled {
  readonly x: WireInput;
  readonly y: readonly string[];
  readonly groups?: readonly string[];
}

export function toWire(x: TableInput | ImageInput): WireInput {
  if (x instanceof Frame)
    return { kind: "table", columns: [...x.columns].map(([name, column]) => ({ name, column })) };
  return { kind: "images", files: [...x] };
}

export function fromWire(x: WireInput): TableInput | ImageInput {
  if (x.kind === "images") return x.files;
  return new Frame(new Map(x.columns.map(({ name, column }) => [name, column])));
}
