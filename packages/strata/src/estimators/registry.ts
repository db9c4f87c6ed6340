import { builtInKinds } from "./built-in-kinds.js";
import type { KindDescriptor } from "./descriptor.js";
import type { AnyClassifier, EstimatorSpec } from "./estimator.js";

export { builtInKinds } from "./built-in-kinds.js";
export { kindResolver, loadWith } from "./resolver.js";

/*
 * The lookups over strata's own kinds (estimators/kinds.ts, through built-in-kinds.ts), as the
 * package's API has them. Nothing a kind imports imports this module: a kind that makes or reads
 * other models (an ensemble) is handed a KindResolver instead.
 */

/** How to make and read one kind of model (the older name of a descriptor). */
export type EstimatorKind = KindDescriptor;

/** strata's kinds. */
export async function estimatorKinds(): Promise<EstimatorKind[]> {
  return builtInKinds.names().map((name) => builtInKinds.kind(name));
}

/** One of strata's kinds by name (a StrataError listing them when there is none). */
export async function estimatorKind(name: string): Promise<EstimatorKind> {
  return builtInKinds.kind(name);
}

/** An unfitted estimator from its description (e.g. an ensemble member). */
export async function createEstimator(spec: EstimatorSpec): Promise<AnyClassifier> {
  return builtInKinds.create(spec);
}
