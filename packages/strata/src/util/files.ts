import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { StrataError } from "../errors.js";

/**
 * Reads a JSON file that a model directory (or another strata folder) must hold; a StrataError
 * names the file when it is missing, empty, not JSON, or (with `object`) not a JSON object.
 */
export async function readJsonFile(path: string, options: { object?: boolean } = {}): Promise<unknown> {
  const text = (await readFileChecked(path)).toString("utf8");
  if (text.trim() === "") throw new StrataError(`${path}: is empty (0 bytes of JSON)`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the fault, newlines included: keep the message one line.
    throw new StrataError(`${path}: not valid JSON (${(e as Error).message.replace(/\s+/g, " ")})`);
  }
  if (options.object && (typeof value !== "object" || value === null || Array.isArray(value)))
    throw new StrataError(`${path}: damaged: expected a JSON object, got ${describeJson(value)}`);
  return value;
}

/** Reads a file that must be there; a StrataError names it when it is missing or not a file. */
export async function readFileChecked(path: string): Promise<Buffer> {
  if (!existsSync(path)) throw new StrataError(`${path}: missing`);
  if (!statSync(path).isFile()) throw new StrataError(`${path}: not a file`);
  return readFile(path);
}

/** "a string", "null", "a list", … for messages about a JSON value of the wrong type. */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  if (typeof value === "string")
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `${typeof value} ${String(value)}`;
}
