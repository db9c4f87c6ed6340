import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Frame } from "../data/frame.js";
import type { PreprocessState } from "../data/preprocess.js";
import type { TabularSchema } from "../data/schema.js";
import { METRICS_JSON } from "../workflow/model-dir.js";

/** Categories listed per column, at most (the most frequent first). */
const MAX_CATEGORIES = 200;

/** What the training rows held in one feature column: saved in metrics.json as `inputs`. */
export type InputSummary =
  | {
      readonly name: string;
      readonly kind: "numeric";
      readonly min: number | null;
      readonly max: number | null;
      readonly median: number | null;
      readonly missing: number;
    }
  | {
      readonly name: string;
      readonly kind: "categorical";
      /** Most frequent first. */
      readonly categories: readonly string[];
      readonly missing: number;
    };

/** One input of the page's form: a column of the schema, with what training saw as a hint. */
export type InputField =
  | {
      readonly name: string;
      readonly kind: "numeric";
      /** "date": YYYY-MM-DD text, read as a decimal year. */
      readonly parse: "number" | "date";
      readonly min?: number;
      readonly max?: number;
      readonly median?: number;
      /** The training range in words, for the input's placeholder. */
      readonly hint: string;
    }
  | {
      readonly name: string;
      readonly kind: "categorical";
      readonly categories: readonly string[];
      readonly hint: string;
    };

/** The range of every numeric column and the categories of every categorical one, of training rows. */
export function summarizeInputs(frame: Frame): InputSummary[] {
  return [...frame.columns].map(([name, column]) => {
    if (column.kind === "numeric") {
      const values = Array.from(column.values)
        .filter((v) => !Number.isNaN(v))
        .sort((a, b) => a - b);
      const n = values.length;
      const median = n === 0 ? null : n % 2 ? values[(n - 1) / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
      return {
        name,
        kind: "numeric",
        min: n ? values[0] : null,
        max: n ? values[n - 1] : null,
        median,
        missing: column.values.length - n,
      };
    }
    const counts = new Map<string, number>();
    let missing = 0;
    for (const v of column.values) {
      if (v === null) missing++;
      else counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const categories = [...counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, MAX_CATEGORIES)
      .map(([v]) => v);
    return { name, kind: "categorical", categories, missing };
  });
}

/**
 * The form's fields for a table model's directory: its schema's features, with the training
 * range and categories from metrics.json's `inputs` (written since strata 0.2), or else from
 * preprocess.json (medians, means and categories of the dense model's pipeline).
 */
export async function inputFields(dir: string, schema: TabularSchema): Promise<InputField[]> {
  const summaries = new Map((await readSummaries(dir)).map((s) => [s.name, s]));
  const state = await readJson<PreprocessState>(join(dir, "preprocess.json"));
  const numeric = new Map((state?.numeric ?? []).map((c) => [c.name, c]));
  const categorical = new Map((state?.categorical ?? []).map((c) => [c.name, c]));
  return schema.features.map((f): InputField => {
    const s = summaries.get(f.name);
    if (f.kind === "categorical") {
      const categories =
        s?.kind === "categorical" ? s.categories : [...(categorical.get(f.name)?.categories ?? [])];
      return {
        name: f.name,
        kind: "categorical",
        categories,
        hint: categories.length ? `${categories.length} categories seen in training` : "",
      };
    }
    const parse = f.parse ?? "number";
    if (s?.kind === "numeric" && s.min !== null && s.max !== null) {
      return {
        name: f.name,
        kind: "numeric",
        parse,
        min: s.min,
        max: s.max,
        median: s.median ?? undefined,
        hint:
          parse === "date"
            ? `a date; training years ${Math.floor(s.min)} to ${Math.floor(s.max)}`
            : `training range ${num(s.min)} to ${num(s.max)}, median ${num(s.median ?? Number.NaN)}`,
      };
    }
    const p = numeric.get(f.name);
    if (p)
      return {
        name: f.name,
        kind: "numeric",
        parse,
        median: p.median,
        hint: `training median ${num(p.median)}, mean ${num(p.mean)} ± ${num(p.std)}`,
      };
    return {
      name: f.name,
      kind: "numeric",
      parse,
      hint: parse === "date" ? "a date, YYYY-MM-DD" : "a number",
    };
  });
}

async function readSummaries(dir: string): Promise<InputSummary[]> {
  const metrics = await readJson<{ inputs?: unknown }>(join(dir, METRICS_JSON));
  return Array.isArray(metrics?.inputs) ? (metrics.inputs as InputSummary[]) : [];
}

async function readJson<T>(path: string): Promise<T | undefined> {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}

/** A number as a person would write it: few significant digits, no float noise. */
function num(v: number): string {
  if (!Number.isFinite(v)) return "?";
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}
