import type { KindResolver } from "./descriptor.js";
import { KINDS } from "./kinds.js";
import { kindResolver, useKinds } from "./registry.js";

/** Lookups over strata's own kinds (estimators/kinds.ts). */
export const builtInKinds: KindResolver = kindResolver(KINDS);
useKinds(KINDS);
