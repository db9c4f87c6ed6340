import type { KindResolver } from "./descriptor.js";
import { KINDS } from "./kinds.js";
import { LEGACY_KINDS } from "./legacy-kinds.js";
import { kindResolver } from "./resolver.js";

/** Lookups over strata's own kinds (estimators/kinds.ts), and the names earlier strata wrote. */
export const builtInKinds: KindResolver = kindResolver(KINDS, LEGACY_KINDS);
