import { StrataError } from "../errors.js";
import { EnsembleClassifier, type EnsembleInput, type MemberVotes } from "../estimators/ensemble.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { type Matrix, row } from "../util/matrix.js";
import type { Output } from "./output.js";

/** A model that can show its members' votes (an ensemble). */
interface Voter {
  predictVotes(x: EnsembleInput): Promise<MemberVotes>;
  readonly kind: string;
}

/** The model as a voter, or a StrataError saying --votes needs an ensemble. */
export function asVoter(model: AnyClassifier, dir: string): Voter {
  if (!(model instanceof EnsembleClassifier)) throw notAnEnsemble(dir, model.kind);
  return model;
}

/** --votes given for a model that is not an ensemble (`kind`, in `dir`). */
export function notAnEnsemble(dir: string, kind: string): StrataError {
  return new StrataError(
    `--votes shows an ensemble's members' votes; ${dir} holds a ${kind} model (fit one with --model vote or --model stack)`,
  );
}

/** One example's votes: each member's top class and probabilities, then the combined answer. */
export interface ExampleVotes {
  readonly input: string;
  readonly members: readonly VoteJson[];
  readonly combined: VoteJson;
}

interface VoteJson {
  readonly name: string;
  readonly top: string;
  readonly proba: Record<string, number>;
}

/** The votes of every example, labelled (a row number or a file name). */
export function exampleVotes(
  votes: MemberVotes,
  classes: readonly string[],
  inputs: readonly string[],
  ensembleName: string,
): ExampleVotes[] {
  const vote = (name: string, proba: Matrix, i: number): VoteJson => {
    const p = Array.from(row(proba, i));
    const top = p.indexOf(Math.max(...p));
    return { name, top: classes[top], proba: Object.fromEntries(classes.map((c, j) => [c, p[j]])) };
  };
  return inputs.map((input, i) => ({
    input,
    members: votes.members.map((m) => vote(m.name, m.proba, i)),
    combined: vote(ensembleName, votes.combined, i),
  }));
}

/**
 * Prints the votes as a small table per example (the "each model votes" view), or with --json
 * one JSON array.
 */
export function printVotes(out: Output, examples: readonly ExampleVotes[], classes: readonly string[]): void {
  if (out.json) {
    out.emitJson(examples);
    return;
  }
  const nameWidth = Math.max(8, ...examples[0].members.map((m) => m.name.length));
  const colWidth = Math.max(6, ...classes.map((c) => c.length));
  const line = (v: VoteJson) =>
    `  ${v.name.padEnd(nameWidth)}  ${classes.map((c) => v.proba[c].toFixed(3).padStart(colWidth)).join(" ")}  ${v.top}`;
  for (const e of examples) {
    out.result(`${e.input}: ${e.combined.name} says ${e.combined.top}`);
    out.result(`  ${"".padEnd(nameWidth)}  ${classes.map((c) => c.padStart(colWidth)).join(" ")}  top`);
    for (const m of e.members) out.result(line(m));
    out.result(line(e.combined));
  }
}
