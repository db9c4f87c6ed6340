import type { KindDescriptor } from "./descriptor.js";
import { AUTO_KIND } from "./descriptors/auto.js";
import { CNN_KIND } from "./descriptors/cnn.js";
import { DENSE_KIND } from "./descriptors/dense.js";
import { IMAGE_DENSE_KIND } from "./descriptors/image-dense.js";
import { LOGISTIC_KIND } from "./descriptors/logistic.js";
import { STACK_KIND } from "./descriptors/stack.js";
import { TRANSFER_KIND } from "./descriptors/transfer.js";
import { VOTE_KIND } from "./descriptors/vote.js";
import { XGBOOST_KIND } from "./descriptors/xgboost.js";

/**
 * Every built-in model kind, each declared in its own estimators/descriptors/<kind>.ts: the one
 * list that loading, creating from a spec, `--members` (the variants), the CLI's --model choices
 * and options, and the contract test read (estimators/registry.ts makes the lookups over it).
 * The table kinds come first, then the ensembles and model choice (auto), then the image kinds:
 * --members lists its names in this order.
 */
export const KINDS: readonly KindDescriptor[] = [
  DENSE_KIND,
  XGBOOST_KIND,
  LOGISTIC_KIND,
  VOTE_KIND,
  STACK_KIND,
  AUTO_KIND,
  CNN_KIND,
  IMAGE_DENSE_KIND,
  TRANSFER_KIND,
];
