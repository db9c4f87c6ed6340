import { DenseClassifier, type DenseClassifierParams } from "./dense.js";
import type { KindDescriptor } from "./descriptor.js";
import type { AnyClassifier } from "./estimator.js";
import type { ImageClassifierParams } from "./image.js";
import { ImageClassifier } from "./image.js";
import { LogisticRegression, type LogisticRegressionParams } from "./logistic.js";
import { StackingClassifier, type StackingClassifierParams } from "./stacking.js";
import { TransferClassifier, type TransferClassifierParams } from "./transfer.js";
import { VotingClassifier, type VotingClassifierParams } from "./voting.js";
import { XGBoostClassifier, type XGBoostClassifierParams } from "./xgboost.js";

/**
 * Every built-in model kind: the one list that loading, creating from a spec, the CLI's --model
 * choices and the contract test read (estimators/registry.ts makes the lookups over it).
 */
export const KINDS: readonly KindDescriptor[] = [
  {
    name: "dense",
    params: {},
    input: "table",
    description: "dense neural network on a table's preprocessed columns",
    create: (params) => new DenseClassifier(params as Partial<DenseClassifierParams>),
    read: (dir, manifest) => DenseClassifier.read(dir, manifest),
  },

  {
    name: "image",
    params: {},
    input: "images",
    description: "convolutional network (or dense network on flattened pixels) on image files",
    create: (params) => new ImageClassifier(params as Partial<ImageClassifierParams>),
    read: (dir, manifest) => ImageClassifier.read(dir, manifest),
  },

  {
    name: "transfer",
    params: {},
    input: "images",
    description: "a pretrained backbone from the zoo with a new head, optionally fine-tuned, on image files",
    create: (params) => new TransferClassifier(params as Partial<TransferClassifierParams>),
    read: (dir, manifest) => TransferClassifier.read(dir, manifest),
  },

  {
    name: "xgboost",
    params: {},
    input: "table",
    description: "gradient-boosted trees (XGBoost) on a table's preprocessed columns",
    create: (params) => new XGBoostClassifier(params as Partial<XGBoostClassifierParams>),
    read: (dir, manifest) => XGBoostClassifier.read(dir, manifest),
  },

  {
    name: "logistic",
    params: {},
    input: "table",
    description: "multinomial logistic regression with an L2 penalty (scikit-learn's defaults)",
    create: (params) => new LogisticRegression(params as Partial<LogisticRegressionParams>),
    read: (dir, manifest) => LogisticRegression.read(dir, manifest),
  },

  // An ensemble takes whatever its members take (it says which in `input`).
  {
    name: "vote",
    params: {},
    input: "members",
    description: "soft or hard vote of any members, weights given or learned (greedy ensemble selection)",
    create: (params) =>
      new VotingClassifier(params as Partial<VotingClassifierParams>) as unknown as AnyClassifier,
    read: async (dir, manifest) => (await VotingClassifier.read(dir, manifest)) as unknown as AnyClassifier,
  },

  {
    name: "stack",
    params: {},
    input: "members",
    description: "stacking: a meta-model learns from the members' out-of-fold probabilities",
    create: (params) =>
      new StackingClassifier(params as Partial<StackingClassifierParams>) as unknown as AnyClassifier,
    read: async (dir, manifest) => (await StackingClassifier.read(dir, manifest)) as unknown as AnyClassifier,
  },
];
