import { join } from "node:path";
import { StrataError } from "../errors.js";
import type { ZooPreprocessing } from "../models/zoo/types.js";
import { writeJson } from "../util/atomic.js";
import { readJsonFile } from "../util/files.js";

/** transfer.json: the backbone a fitted model was made from, for people and reports. */
export interface TransferInfo {
  readonly backbone: string;
  readonly cut: string;
  readonly size: readonly [number, number];
  readonly preprocessing: ZooPreprocessing;
  readonly license: string;
  readonly source: string;
}

export const TRANSFER_JSON = "transfer.json";

/** Raw pixels: the network's own first layer does the backbone's preprocessing. */
export const RAW = { kind: "divide", by: 1 } as const;

/** Writes dir/transfer.json; returns the files written. */
export async function writeTransferInfo(dir: string, info: TransferInfo): Promise<string[]> {
  await writeJson(join(dir, TRANSFER_JSON), info);
  return [TRANSFER_JSON];
}

/** Reads dir/transfer.json (a StrataError names what is damaged). */
export async function readTransferInfo(dir: string): Promise<TransferInfo> {
  const path = join(dir, TRANSFER_JSON);
  const info = (await readJsonFile(path, { object: true })) as TransferInfo;
  const size: unknown = info.size;
  if (typeof info.backbone !== "string" || typeof info.cut !== "string")
    throw new StrataError(`${path}: damaged: "backbone" or "cut" is not a name`);
  if (!(Array.isArray(size) && size.length === 2 && size.every((d) => Number.isInteger(d) && d > 0)))
    throw new StrataError(`${path}: damaged: "size" is ${JSON.stringify(size)}, not [height, width]`);
  if (typeof info.preprocessing !== "object" || info.preprocessing === null)
    throw new StrataError(`${path}: damaged: "preprocessing" is not an object`);
  return info;
}
