import { StrataError } from "../errors.js";
import type { Params } from "../util/params.js";
import type { KindDescriptor } from "./descriptor.js";
import { TRANSFER_VARIANT_PATTERN, transferVariant } from "./descriptors/transfer.js";
import type { EstimatorSpec, InputKind } from "./estimator.js";
import { KINDS } from "./kinds.js";

export { META_MODELS } from "./stacking-params.js";

/*
 * The names `--members` takes, from the kinds' descriptors (estimators/kinds.ts): a kind's own
 * name, and "kind:variant" for each of its variants. A kind that takes a table or images is a
 * member by its name (its defaults); an ensemble only when it declares the variant "" (stack:
 * a stack of dense and xgboost). transfer's variants are a pattern: "transfer:<backbone>" names
 * any zoo backbone (there is no plain "transfer" member: it needs a backbone).
 */

/** The kinds whose variants are a pattern rather than a list. */
const PATTERNS: Readonly<
  Record<string, { readonly shown: string; readonly variant: typeof transferVariant }>
> = { transfer: { shown: TRANSFER_VARIANT_PATTERN, variant: transferVariant } };

type Preset = { readonly spec: EstimatorSpec; readonly about: string };

/** Named members for `--members`: `kind` or `kind:variant`, each a spec over the kind's defaults. */
export const MEMBER_PRESETS: Readonly<Record<string, Preset>> = Object.fromEntries(
  KINDS.flatMap((kind) => presetsOf(kind)),
);

function presetsOf(kind: KindDescriptor): [string, Preset][] {
  const variants = Object.entries(kind.variants ?? {}).map(([variant, v]): [string, Preset] => [
    variant === "" ? kind.name : `${kind.name}:${variant}`,
    { spec: { kind: kind.name, params: v.params as Params }, about: v.about },
  ]);
  const plain = kind.input !== "members" && !Object.hasOwn(PATTERNS, kind.name) && !kind.variants?.[""];
  const own: [string, Preset][] = plain
    ? [[kind.name, { spec: { kind: kind.name, params: {} }, about: kind.description }]]
    : [];
  return [...own, ...variants];
}

/** The members an ensemble gets when none are named: different models make different mistakes. */
export function defaultMembers(input: InputKind, options: { backbone?: string } = {}): string[] {
  if (input === "table") return ["dense", "xgboost"];
  // Measured on the CIFAR subset: three cnn:deep vote 0.776, three default CNNs 0.705.
  return ["cnn:deep", "cnn:deep", "cnn:deep", ...(options.backbone ? [`transfer:${options.backbone}`] : [])];
}

/** What the members predict: classes (the kinds), or numbers (their regressor twins). */
export type MemberTask = "classification" | "regression";

/**
 * Member specs from a list such as "dense,dense:wide,xgboost" (or the names as an array), each
 * named as given (so the ensemble reports "dense:wide", not "dense#2"). A name given again gets
 * the next seed (seed, seed + 1, …), so "cnn,cnn,cnn" is three CNNs of seeds 0, 1, 2; every
 * member of a kind with a seed gets `seed` + its repeat count. An unknown name is a StrataError
 * listing the valid ones. For `task` "regression" the names are the same and each member is the
 * kind's regressor twin (a regressor ensemble makes it from the spec's kind): a kind with no twin
 * is refused, and the seed goes to members whose twin has one.
 */
export function parseMembers(
  list: string | readonly string[],
  seed = 0,
  task: MemberTask = "classification",
): EstimatorSpec[] {
  const names = (typeof list === "string" ? list.split(",") : list).map((n) => n.trim()).filter((n) => n);
  if (names.length === 0) throw new StrataError(`no members given; the members are: ${presetNames(task)}`);
  const repeats = new Map<string, number>();
  return names.map((name) => {
    const spec = presetSpec(name, task);
    const repeat = repeats.get(name) ?? 0;
    repeats.set(name, repeat + 1);
    const kind = KINDS.find((k) => k.name === spec.kind);
    const schema = task === "regression" ? kind?.regressor?.params : kind?.params;
    const seeded = Object.hasOwn(schema ?? {}, "seed");
    const params: Params = seeded ? { ...spec.params, seed: seed + repeat } : spec.params;
    return { kind: spec.kind, params, name };
  });
}

function presetSpec(name: string, task: MemberTask): EstimatorSpec {
  const spec = knownPreset(name);
  if (!spec) throw new StrataError(`unknown member "${name}"; the members are: ${presetNames(task)}`);
  if (task === "regression" && !hasTwin(spec.kind))
    throw new StrataError(
      `member "${name}": ${spec.kind} has no regressor yet; the members of a regression are: ${presetNames(task)}`,
    );
  return spec;
}

function knownPreset(name: string): EstimatorSpec | undefined {
  if (Object.hasOwn(MEMBER_PRESETS, name)) return MEMBER_PRESETS[name].spec;
  const colon = name.indexOf(":");
  const kind = name.slice(0, colon);
  const pattern =
    colon > 0 && Object.hasOwn(PATTERNS, kind) ? PATTERNS[kind].variant(name.slice(colon + 1)) : undefined;
  return pattern ? { kind, params: pattern.params as Params } : undefined;
}

function hasTwin(kind: string): boolean {
  return KINDS.some((k) => k.name === kind && k.regressor);
}

/** The valid member names, for messages and help (for "regression", those of kinds with a regressor twin). */
export function presetNames(task: MemberTask = "classification"): string {
  const presets = Object.entries(MEMBER_PRESETS).filter(
    ([, p]) => task !== "regression" || hasTwin(p.spec.kind),
  );
  const patterns = Object.entries(PATTERNS).filter(([kind]) => task !== "regression" || hasTwin(kind));
  return [...presets.map(([name]) => name), ...patterns.map(([, p]) => p.shown)].join(", ");
}
