import { apiName, StrataError } from "../errors.js";
import type { Split } from "./types.js";

/** How a split is named in the messages below. */
export interface TrainingClassesContext {
  /** The split, e.g. "a stratified hold-out split" or "5-fold cross-validation". */
  readonly what: string;
  /** Where the labels come from, e.g. `data.csv, column "label"` or an image folder; starts the message. */
  readonly source?: string;
  /** What one example is: "row" (default) or "image". */
  readonly unit?: string;
  /** Each example's group, when the split keeps groups together. */
  readonly groups?: ArrayLike<string>;
  /** How the user named the grouping, e.g. "--group artist" (the CLI's words) (default "its group"). */
  readonly groupedBy?: string;
}

/** The fewest examples of a class a stratified split can keep on its training side. */
const MIN_PER_CLASS = 2;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
const quoted = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");

/**
 * Refuses labels with a class of fewer than 2 examples, as scikit-learn's stratified splitters
 * do ("The least populated class in y has only 1 member, which is too few"): a split would
 * leave it out of training in some part, giving a model that can never predict it.
 */
export function requireTwoPerClass(y: readonly string[], ctx: TrainingClassesContext): void {
  const counts = new Map<string, number>();
  for (const label of y) counts.set(label, (counts.get(label) ?? 0) + 1);
  const few = [...counts].filter(([, n]) => n < MIN_PER_CLASS).map(([label]) => label);
  if (few.length === 0) return;
  const unit = ctx.unit ?? "row";
  const more =
    few.length > 1
      ? ` (and ${few.length - 1} more: ${quoted(few.slice(1, 4))}${few.length > 4 ? ", …" : ""})`
      : "";
  throw new StrataError(
    `${prefix(ctx)}class "${few[0]}"${more} has only ${plural(counts.get(few[0]) ?? 0, unit)}, too few for ${ctx.what}: ` +
      `each class needs at least ${MIN_PER_CLASS} ${unit}s, so that it has ${unit}s to train on; add ${unit}s of it or remove it`,
  );
}

/**
 * Refuses splits whose training part lacks a class the labels have (checked before any
 * training): for ungrouped splits, first {@link requireTwoPerClass}; for grouped ones, a class
 * whose groups all fell on the test side is named with its groups.
 */
export function requireClassesInTraining(
  y: readonly string[],
  splits: readonly Split[],
  ctx: TrainingClassesContext,
): void {
  if (ctx.groups === undefined) requireTwoPerClass(y, ctx);
  const classes = [...new Set(y)];
  for (const [f, split] of splits.entries()) {
    const seen = new Set<string>();
    for (const r of split.train) seen.add(y[r]);
    const missing = classes.find((c) => !seen.has(c));
    if (missing === undefined) continue;
    const unit = ctx.unit ?? "row";
    const rows = y.reduce((n, label) => n + (label === missing ? 1 : 0), 0);
    const part = splits.length > 1 ? `fold ${f + 1} of ${ctx.what}` : ctx.what;
    if (ctx.groups === undefined) {
      throw new StrataError(
        `${prefix(ctx)}${part} would train without class "${missing}": its ${plural(rows, unit)} are all in its test part`,
      );
    }
    const groups = ctx.groups;
    const held = [...new Set(y.flatMap((label, r) => (label === missing ? [groups[r]] : [])))];
    const by = ctx.groupedBy ?? "its group";
    throw new StrataError(
      `${prefix(ctx)}${part} by ${by} would train without class "${missing}": its ${plural(rows, unit)} ` +
        `(in ${plural(held.length, "group")}: ${held.slice(0, 3).join(", ")}${held.length > 3 ? ", …" : ""}) are all in its test part; ` +
        `a class needs ${unit}s in at least 2 groups, and then another ${apiName("seed")} may keep some in training`,
      { params: ["seed"] },
    );
  }
}

function prefix(ctx: TrainingClassesContext): string {
  return ctx.source ? `${ctx.source}: ` : "";
}
