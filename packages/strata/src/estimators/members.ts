import { StrataError } from "../errors.js";
import type { Params, ParamValue } from "../util/params.js";
import type { KindDescriptor, KindResolver } from "./descriptor.js";
import type { AnyClassifier, EstimatorSpec, InputKind } from "./estimator.js";
import { upgradeImageSpec } from "./legacy-image-kind.js";

/**
 * Each member's name: the spec's `name` (the preset it was given as, e.g. "dense:small"), else its
 * kind, with "#2", "#3", … for the second and later of one name (["dense", "dense", "xgboost"] →
 * ["dense", "dense#2", "xgboost"]; ["dense", "dense:small"] stay as they are).
 */
export function memberNames(specs: readonly EstimatorSpec[]): string[] {
  const seen = new Map<string, number>();
  return specs.map((s) => {
    const base = s.name ?? s.kind;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

/** "member 2 (xgboost)": how messages name a member (1-based, as its directory). */
export function memberLabel(index: number, name: string): string {
  return `member ${index + 1} (${name})`;
}

/**
 * A member's directory inside the ensemble's: members/<number>-<name>, the name's characters
 * other than letters, digits, ".", "_", "-" and "#" as "_" ("dense:small" → "2-dense_small").
 */
export function memberDir(index: number, name: string): string {
  return `members/${index + 1}-${name.replace(/[^A-Za-z0-9._#-]/g, "_")}`;
}

/** Reads an ensemble's `members` param: a non-empty list of {kind, params}. */
export function memberSpecs(
  className: string,
  value: ParamValue | undefined,
  what = "members",
): EstimatorSpec[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new StrataError(
      `${className}: ${what} must be a non-empty list of {kind, params}, got ${JSON.stringify(value)}`,
    );
  return value.map((v, i) => estimatorSpec(className, v, `${what}[${i}]`));
}

/** Reads one {kind, params} param (a member, or a stack's meta-model). */
export function estimatorSpec(className: string, value: ParamValue | undefined, what: string): EstimatorSpec {
  const spec = value as Partial<EstimatorSpec> | null | undefined;
  if (
    !spec ||
    typeof spec !== "object" ||
    Array.isArray(spec) ||
    typeof spec.kind !== "string" ||
    (spec.params !== undefined && (typeof spec.params !== "object" || spec.params === null)) ||
    (spec.name !== undefined && !(typeof spec.name === "string" && spec.name.trim() !== ""))
  )
    throw new StrataError(
      `${className}: ${what} must be {kind, params} (and optionally a name), got ${JSON.stringify(value)}`,
    );
  const params = (spec.params ?? {}) as Params;
  const given =
    spec.name === undefined ? { kind: spec.kind, params } : { kind: spec.kind, params, name: spec.name };
  // A spec of the kind earlier strata had for image networks is read as the kind it is now.
  try {
    return upgradeImageSpec(given);
  } catch (e) {
    if (e instanceof StrataError)
      throw new StrataError(`${className}: ${what}: ${e.message}`, { params: e.params });
    throw e;
  }
}

/**
 * Unfitted estimators for the specs, made through `kinds` (unknown kinds and params refused,
 * naming the member), all of one input kind.
 */
export function createMembers(
  className: string,
  specs: readonly EstimatorSpec[],
  kinds: KindResolver,
): { members: AnyClassifier[]; input: InputKind } {
  const names = memberNames(specs);
  const members: AnyClassifier[] = [];
  try {
    for (const [i, spec] of specs.entries())
      members.push(createSpec(className, spec, memberLabel(i, names[i]), kinds));
  } catch (e) {
    for (const m of members) m.dispose();
    throw e;
  }
  const input = members[0].input;
  const other = members.findIndex((m) => m.input !== input);
  if (other >= 0) {
    for (const m of members) m.dispose();
    throw new StrataError(
      `${className}: members must all take one kind of input: ${memberLabel(0, names[0])} takes ${input === "table" ? "tables" : "images"}, ${memberLabel(other, names[other])} ${members[other].input === "table" ? "tables" : "images"}`,
    );
  }
  return { members, input };
}

/** An unfitted estimator for a spec, made through `kinds`, its errors prefixed with `what`. */
export function createSpec(
  className: string,
  spec: EstimatorSpec,
  what: string,
  kinds: KindResolver,
): AnyClassifier {
  let kind: KindDescriptor;
  try {
    kind = kinds.kind(spec.kind);
  } catch (e) {
    if (!(e instanceof StrataError)) throw e;
    throw new StrataError(
      `${className}: ${what}: unknown kind "${spec.kind}"; the kinds are: ${kinds.names().join(", ")}`,
    );
  }
  try {
    return kind.create(spec.params, kinds);
  } catch (e) {
    if (e instanceof StrataError)
      throw new StrataError(`${className}: ${what}: ${e.message}`, { params: e.params });
    throw e;
  }
}
