import { DenseClassifier, type DenseClassifierParams } from "./dense.js";
import type { ImageClassifierParams } from "./image.js";
import { ImageClassifier } from "./image.js";
import { registerEstimator } from "./registry.js";

// Every built-in estimator kind, registered once: the one list that loading, cloning from a
// spec and the CLI's --model choices read.
registerEstimator({
  kind: "dense",
  input: "table",
  description: "dense neural network on a table's preprocessed columns",
  create: (params) => new DenseClassifier(params as Partial<DenseClassifierParams>),
  read: (dir, manifest) => DenseClassifier.read(dir, manifest),
});

registerEstimator({
  kind: "image",
  input: "images",
  description: "convolutional network (or dense network on flattened pixels) on image files",
  create: (params) => new ImageClassifier(params as Partial<ImageClassifierParams>),
  read: (dir, manifest) => ImageClassifier.read(dir, manifest),
});
