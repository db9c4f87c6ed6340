import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../../errors.js";
import type { ZooInfo } from "./types.js";

/** The class names of a zoo model's output units, in output order; undefined when it has none. */
export async function zooLabels(
  info: Pick<ZooInfo, "labels" | "dir" | "name">,
): Promise<string[] | undefined> {
  if (info.labels?.names) return [...info.labels.names];
  if (!info.labels?.file) return undefined;
  const file = join(info.dir, info.labels.file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new StrataError(`${file}: the label file of zoo model "${info.name}" is missing`);
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
