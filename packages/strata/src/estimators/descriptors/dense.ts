import { DenseClassifier } from "../dense.js";
import { DENSE_PARAMS, type DenseClassifierParams } from "../dense-params.js";
import { DenseRegressor } from "../dense-regressor.js";
import { DENSE_REGRESSOR_PARAMS, type DenseRegressorParams } from "../dense-regressor-params.js";
import type { KindDescriptor, RegressorDescriptor } from "../descriptor.js";

/** dense's twin for numeric targets: the same network, the target standardised. */
export const DENSE_REGRESSOR_KIND: RegressorDescriptor<DenseRegressorParams> = {
  name: "dense-regressor",
  input: "table",
  description: "dense neural network on a table's preprocessed columns, predicting the standardised target",
  params: DENSE_REGRESSOR_PARAMS,
  create: (params) => new DenseRegressor(params),
  read: (dir, manifest) => DenseRegressor.read(dir, manifest),
};

/** A dense neural network on a table, preprocessing included. */
export const DENSE_KIND: KindDescriptor<DenseClassifierParams> = {
  name: "dense",
  input: "table",
  description: "dense neural network on a table's preprocessed columns",
  network: true,
  regressor: DENSE_REGRESSOR_KIND,
  params: DENSE_PARAMS,
  // The variant "" is the member "dense" itself.
  variants: {
    "": { params: {}, about: "dense network, 128-64 (the default)" },
    wide: { params: { hiddenUnits: [256, 128], dropout: 0.2 }, about: "dense network, 256-128, dropout 0.2" },
    deep: { params: { hiddenUnits: [128, 128, 64] }, about: "dense network, 128-128-64" },
    small: { params: { hiddenUnits: [32] }, about: "dense network, one layer of 32" },
  },
  create: (params) => new DenseClassifier(params),
  read: (dir, manifest) => DenseClassifier.read(dir, manifest),
};
