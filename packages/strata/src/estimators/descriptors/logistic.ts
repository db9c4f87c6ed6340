import type { KindDescriptor } from "../descriptor.js";
import { LogisticRegression } from "../logistic.js";
import { LOGISTIC_PARAMS, type LogisticRegressionParams } from "../logistic-params.js";

/** Logistic regression (scikit-learn's lbfgs) on a table: a member, and the stack's default meta-model. */
export const LOGISTIC_KIND: KindDescriptor<LogisticRegressionParams> = {
  name: "logistic",
  input: "table",
  description: "multinomial logistic regression with an L2 penalty (scikit-learn's defaults)",
  params: LOGISTIC_PARAMS,
  // The variant "" is the member "logistic" itself.
  variants: { "": { params: {}, about: "logistic regression" } },
  create: (params) => new LogisticRegression(params),
  read: (dir, manifest) => LogisticRegression.read(dir, manifest),
};
