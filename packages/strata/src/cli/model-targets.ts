import { builtInKinds } from "../estimators/built-in-kinds.js";
import type { KindDescriptor } from "../estimators/descriptor.js";
import type { InputKind } from "../estimators/estimator.js";

/*
 * What `--model` can fit, from the kinds' descriptors (estimators/kinds.ts): each kind on each
 * kind of data it takes (an ensemble on either). A model is named on the command line by its
 * kind's name or an alias the kind has for that data ("dense" on a folder of images is
 * image-dense), and `--json` reports it by that name.
 */

/** Which model a command line fits: the data's kind and the model's kind, e.g. "table:dense", "images:image-dense". */
export type ModelTarget = `${InputKind}:${string}`;

/** One model on one kind of data. */
export interface Target {
  readonly id: ModelTarget;
  readonly data: InputKind;
  readonly kind: KindDescriptor;
  /** What --model calls it on this data and --json's `model` reports: an alias for the data, or the kind's name. */
  readonly name: string;
  /** An ensemble of --members. */
  readonly ensemble: boolean;
}

/** The model fitted when --model is not given. */
export const DEFAULT_KIND: Readonly<Record<InputKind, string>> = { table: "dense", images: "cnn" };

const DATA: readonly InputKind[] = ["table", "images"];

function target(data: InputKind, kind: KindDescriptor): Target {
  const ensemble = kind.input === "members";
  // An alias applies to the data the kind takes (an ensemble takes any, so has none).
  const alias = ensemble ? undefined : kind.aliases?.[0];
  return { id: `${data}:${kind.name}`, data, kind, name: alias ?? kind.name, ensemble };
}

const kinds = builtInKinds.names().map((name) => builtInKinds.kind(name));

/**
 * Every model on every data, in the order --help lists their defaults and messages list them:
 * the networks first (most options are theirs), then the other single models, then the
 * ensembles; the kinds in the list's order.
 */
export const TARGETS: readonly Target[] = [
  ...kinds
    .filter((k) => k.network)
    .flatMap((k) => DATA.filter((d) => d === k.input).map((d) => target(d, k))),
  ...kinds
    .filter((k) => !k.network && k.input !== "members")
    .flatMap((k) => DATA.filter((d) => d === k.input).map((d) => target(d, k))),
  ...DATA.flatMap((d) => kinds.filter((k) => k.input === "members").map((k) => target(d, k))),
];

const byId = new Map(TARGETS.map((t) => [t.id, t]));

/** The target of an id (an Error for one no kind makes: a bug, not a user's mistake). */
export function targetOf(id: ModelTarget): Target {
  const t = byId.get(id);
  if (!t) throw new Error(`no model target "${id}"`);
  return t;
}

/** The models of one kind of data: the single models in the list's order, then the ensembles. */
export function targetsOf(data: InputKind): Target[] {
  const ofData = kinds.flatMap((k) => TARGETS.filter((t) => t.data === data && t.kind === k));
  return [...ofData.filter((t) => !t.ensemble), ...ofData.filter((t) => t.ensemble)];
}

/** The model --model `name` means for `data` (its kind's name or alias there), if any. */
export function findTarget(data: InputKind, name: string): Target | undefined {
  const ofData = targetsOf(data);
  return ofData.find((t) => t.kind.name === name) ?? ofData.find((t) => t.name === name);
}

/** The names --model takes for `data`: each model's name and, when it differs, its kind's. */
export function modelNames(data: InputKind): string[] {
  return targetsOf(data).flatMap((t) => (t.name === t.kind.name ? [t.name] : [t.name, t.kind.name]));
}

/** True when --model `name` also names a model of the other kind of data ("dense", "vote"). */
export function nameOnBothData(t: Target): boolean {
  return DATA.every((d) => findTarget(d, t.name) !== undefined);
}
