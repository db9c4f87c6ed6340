import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { ColumnSpec } from "../data/plain.js";
import { StrataError } from "../errors.js";
import type { CandidateSpecs } from "./auto-params.js";
import type { LeaderboardRow } from "./auto-search.js";
import { summaryOf } from "./ensemble-summary.js";
import { type EstimatorSpec, type FitSummary, MANIFEST, type Manifest } from "./estimator.js";

/*
 * What model choice for classes (AutoSelection) and for numbers (AutoRegressorSelection) share:
 * the chosen model's directory, the candidates' bookkeeping, and the checks of their options.
 */

/** The chosen model's directory inside an auto model's. */
export const CHOSEN_DIR = "chosen";

/** A saved auto model's summary: the chosen model's, with the search's leaderboard. */
export type ChosenSummary = FitSummary & { readonly leaderboard: readonly LeaderboardRow[] };

/**
 * The leaderboard in a saved auto model's manifest and its chosen model read from chosen/ by
 * `load`; a damaged directory (no leaderboard, a chosen model that takes images) is refused.
 */
export async function readChosen<M extends { readonly input: "table" | "images"; dispose(): void }>(
  dir: string,
  manifest: Manifest,
  load: (path: string) => Promise<M>,
): Promise<{ chosen: Extract<M, { readonly input: "table" }>; summary: ChosenSummary }> {
  const leaderboard = manifest.fitSummary?.leaderboard;
  if (!leaderboard) throw new StrataError(`${dir}: damaged: ${MANIFEST} has no fitSummary.leaderboard`);
  const path = join(dir, CHOSEN_DIR);
  const chosen = await load(path);
  if (chosen.input !== "table") {
    chosen.dispose();
    throw new StrataError(`${dir}: damaged: the chosen model in ${path} takes images, not a table`);
  }
  return {
    chosen: chosen as Extract<M, { readonly input: "table" }>,
    summary: { ...manifest.fitSummary!, leaderboard },
  };
}

/** Writes the chosen model's own directory in `dir`'s chosen/; returns the files to list in the auto model's manifest. */
export async function writeChosen(
  dir: string,
  chosen: { writeFiles(dir: string): Promise<void> },
): Promise<string[]> {
  const path = join(dir, CHOSEN_DIR);
  await mkdir(path, { recursive: true });
  await chosen.writeFiles(path);
  return [`${CHOSEN_DIR}/${MANIFEST}`];
}

/** The columns fit saw, as the chosen model says (every built-in table model does). */
export function chosenInputColumns(chosen: object): ColumnSpec[] | undefined {
  return "inputColumns" in chosen ? (chosen.inputColumns as ColumnSpec[] | undefined) : undefined;
}

/** The single candidates' leaderboard names, in their order. */
export function singleNames(candidates: CandidateSpecs): string[] {
  return candidates.names.filter((_, i) => i !== candidates.stackAt);
}

/** The spec of leaderboard row `at`, a single candidate (the stack's row is not among the singles). */
export function singleAt(candidates: CandidateSpecs, at: number): EstimatorSpec {
  const { singles, stackAt } = candidates;
  return singles[at < stackAt || stackAt < 0 ? at : at - 1];
}

/** The chosen model's summary with the whole search's seconds (since `started`) and the leaderboard. */
export function chosenSummary(
  chosen: { readonly fitSummary?: FitSummary },
  started: number,
  leaderboard: readonly LeaderboardRow[],
): ChosenSummary {
  return { ...summaryOf(chosen), seconds: (performance.now() - started) / 1000, leaderboard };
}

/** Refuses a fit option that must be a count (jobs, threads) but is not an integer >= 1. */
export function checkCountOption(owner: string, option: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 1))
    throw new StrataError(`${owner}: the ${option} fit option must be an integer >= 1, got ${value}`);
}

/** The candidate stack `make` builds, its refusal naming the auto model and the candidate. */
export function candidateStack<S>(owner: string, make: () => S): S {
  try {
    return make();
  } catch (e) {
    if (e instanceof StrataError)
      throw new StrataError(`${owner}: candidate stack: ${e.message}`, { params: e.params });
    throw e;
  }
}
