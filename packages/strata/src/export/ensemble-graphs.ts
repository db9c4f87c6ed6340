import { StrataError } from "../errors.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import type { StackingEnsemble } from "../estimators/stacking-ensemble.js";
import type { VotingEnsemble } from "../estimators/voting-ensemble.js";
import type { ExportContext } from "./export-context.js";
import type { KindGraph } from "./kind-graph.js";
import type { GraphBuilder } from "./onnx-graph.js";

/** ONNX's TensorProto data types, for Cast. */
const FLOAT = 1;
const DOUBLE = 11;

/** What the writers read of an ensemble (VotingEnsemble and StackingEnsemble have it). */
interface Ensemble {
  readonly classes: readonly unknown[];
  readonly members: readonly AnyClassifier[];
  readonly memberNames: readonly string[];
}

/** A model's class names, as the graph's metadata writes them. */
function classesOf(model: { readonly classes: readonly unknown[] }): string[] {
  return model.classes.map(String);
}

/**
 * Each member's probabilities [rows, classes] by its kind's writer; for the exported ensemble
 * (not a nested one), each also an output `vote/<member name>`. Loading an ensemble checks that
 * every member has its classes in its order (ensemble-dir.ts), so the columns line up.
 */
function membersProbabilities(ctx: ExportContext, ensemble: Ensemble): string[] {
  const classes = classesOf(ensemble);
  const inner = ctx.inner();
  const probabilities = ensemble.members.map((member, i) => {
    sameClasses(member, classes, `member ${ensemble.memberNames[i]}`);
    return inner.probabilities(member);
  });
  if (!ctx.nested)
    ensemble.members.forEach((member, i) => {
      ctx.vote(ensemble.memberNames[i], member.kind, probabilities[i], classes.length);
    });
  return probabilities;
}

function sameClasses(model: AnyClassifier, classes: readonly string[], what: string): void {
  const own = classesOf(model);
  if (own.join("\0") !== classes.join("\0"))
    throw new StrataError(
      `the ${what} has the classes ${own.join(", ")}, the ensemble ${classes.join(", ")}; fit the ensemble again`,
    );
}

/**
 * A float64 scalar constant holding `value` (finite, >= 0) exactly: the builder writes float32
 * and int64 constants, so it is an integer mantissa (< 2^53, exact as int64 and as float64)
 * times powers of two (each exact in float32), multiplied in float64 without rounding.
 */
function exactDouble(g: GraphBuilder, value: number): string {
  let mantissa = value;
  let exponent = 0;
  // Doubling is exact; a finite double is an integer after at most 1074 doublings.
  while (!Number.isInteger(mantissa)) {
    mantissa *= 2;
    exponent--;
  }
  let x = g.op("Cast", [g.int64s("mantissa", [mantissa], [])], { to: { int: DOUBLE } });
  while (exponent < 0) {
    const step = Math.max(exponent, -126);
    const scale = g.op("Cast", [g.floats("scale", [2 ** step], [])], { to: { int: DOUBLE } });
    x = g.op("Mul", [x, scale]);
    exponent -= step;
  }
  return x;
}

/**
 * strata's weighted sum of the members' terms (VotingEnsemble.combine): a float32 matrix from
 * zeros, each member with a weight not 0 adding `w * term` in float64 arithmetic then stored as
 * float32, member after member. The graph does the same steps in the same order (Cast to double,
 * Mul, Add, Cast back), so given the same terms it gives the same bits.
 */
function weightedSum(g: GraphBuilder, terms: readonly string[], weights: readonly number[]): string {
  let sum: string | undefined;
  terms.forEach((term, i) => {
    if (weights[i] === 0) return;
    const product = g.op("Mul", [term, exactDouble(g, weights[i])]);
    const total =
      sum === undefined ? product : g.op("Add", [g.op("Cast", [sum], { to: { int: DOUBLE } }), product]);
    sum = g.op("Cast", [total], { to: { int: FLOAT } });
  });
  if (sum === undefined) throw new StrataError("the vote's weights are all 0; fit it again");
  return sum;
}

/**
 * A member's vote as a float64 one-hot [rows, classes] of its top class: ArgMax takes the first
 * of equal maxima, as strata's argmaxRows does.
 */
function hardVote(g: GraphBuilder, probabilities: string, classes: number): string {
  const top = g.op("ArgMax", [probabilities], { axis: { int: 1 }, keepdims: { int: 1 } });
  const indices = g.int64s(
    "class_index",
    Array.from({ length: classes }, (_, c) => c),
    [1, classes],
  );
  return g.op("Cast", [g.op("Equal", [top, indices])], { to: { int: DOUBLE } });
}

/**
 * A vote (soft: the weighted mean of the members' probabilities; hard: the weighted share of
 * their top classes, the shares as probabilities), bit for bit as VotingEnsemble.combine.
 */
export const voteGraph: KindGraph = {
  kind: "vote",
  probabilities(ctx, model) {
    const vote = model as unknown as VotingEnsemble;
    const classes = vote.classes.length;
    const members = membersProbabilities(ctx, vote);
    const g = ctx.g;
    const terms = members.map((p) =>
      vote.params.voting === "soft" ? g.op("Cast", [p], { to: { int: DOUBLE } }) : hardVote(g, p, classes),
    );
    return weightedSum(g, terms, vote.weights);
  },
};

/**
 * A stack: the meta-model's probabilities over its columns as StackingEnsemble.metaFeatures makes
 * them, "<member>:<class>" (each member's probability of each class; for two classes only of the
 * second), then with passthrough the raw columns (the meta-model preprocesses them itself). A
 * member that is itself a stack or a vote is written whole by its writer.
 */
export const stackGraph: KindGraph = {
  kind: "stack",
  probabilities(ctx, model) {
    const stack = model as unknown as StackingEnsemble;
    const members = membersProbabilities(ctx, stack);
    const meta = stack.metaModel as unknown as AnyClassifier;
    const classes = classesOf(meta);
    sameClasses(meta, classesOf(model), "meta-model");
    const kept = classes.length === 2 ? [1] : classes.map((_, c) => c);
    const g = ctx.g;
    const given = new Map<string, () => string>();
    members.forEach((p, i) => {
      for (const c of kept)
        given.set(`${stack.memberNames[i]}:${classes[c]}`, () =>
          g.op("Gather", [p, g.int64s("class_column", [c], [1])], { axis: { int: 1 } }),
        );
    });
    return ctx.inner().withColumns(given).probabilities(meta);
  },
};
