import type { KindDescriptor } from "../descriptor.js";
import { StackingEnsemble } from "../stacking-ensemble.js";
import { STACKING_PARAMS, type StackingClassifierParams } from "../stacking-params.js";

/** Stacking: a meta-model learns from the members' out-of-fold probabilities. */
export const STACK_KIND: KindDescriptor<StackingClassifierParams> = {
  name: "stack",
  // An ensemble takes whatever its members take.
  input: "members",
  description: "stacking: a meta-model learns from the members' out-of-fold probabilities",
  params: STACKING_PARAMS,
  // The variant "" is the member "stack": a stack as a member of a stack is a second level.
  variants: {
    "": {
      params: {
        members: [
          { kind: "dense", params: {} },
          { kind: "xgboost", params: {} },
        ],
      },
      about: "a stack of dense and xgboost: as a member, a second stacking level",
    },
  },
  // The ensemble makes and reads its members through the kinds it is handed.
  create: (params, kinds) => new StackingEnsemble(params, kinds),
  read: (dir, manifest, kinds) => StackingEnsemble.read(dir, manifest, kinds),
};
