import type { KindDescriptor, RegressorDescriptor } from "../descriptor.js";
import { STACKING_REGRESSOR_PARAMS, type StackingRegressorParams } from "../regressor-ensemble-params.js";
import { StackingEnsemble } from "../stacking-ensemble.js";
import { STACKING_PARAMS, type StackingClassifierParams } from "../stacking-params.js";
import { StackingRegressorEnsemble } from "../stacking-regressor-ensemble.js";

/** stack's twin for numeric targets: a ridge meta-model on the members' out-of-fold predictions. */
export const STACK_REGRESSOR_KIND: RegressorDescriptor<StackingRegressorParams> = {
  name: "stack-regressor",
  input: "members",
  description: "stacking: a ridge meta-model learns from the members' out-of-fold predictions",
  params: STACKING_REGRESSOR_PARAMS,
  create: (params, kinds) => new StackingRegressorEnsemble(params, kinds),
  read: (dir, manifest, kinds) => StackingRegressorEnsemble.read(dir, manifest, kinds),
};

/** Stacking: a meta-model learns from the members' out-of-fold probabilities. */
export const STACK_KIND: KindDescriptor<StackingClassifierParams> = {
  name: "stack",
  // An ensemble takes whatever its members take.
  input: "members",
  description: "stacking: a meta-model learns from the members' out-of-fold probabilities",
  params: STACKING_PARAMS,
  regressor: STACK_REGRESSOR_KIND,
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
