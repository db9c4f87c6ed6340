import { autoGraph, autoRegressorGraph } from "./auto-graph.js";
import { stackGraph, voteGraph } from "./ensemble-graphs.js";
import { cnnGraph, imageDenseGraph, transferGraph } from "./image-graphs.js";
import {
  cnnRegressorGraph,
  imageDenseRegressorGraph,
  transferRegressorGraph,
} from "./image-regressor-graphs.js";
import type { KindGraph, RegressorGraph } from "./kind-graph.js";
import { stackRegressorGraph, voteRegressorGraph } from "./regressor-ensemble-graphs.js";
import { denseRegressorGraph, ridgeGraph, xgboostRegressorGraph } from "./regressor-graphs.js";
import { denseGraph, logisticGraph, xgboostGraph } from "./table-graphs.js";

/** Every kind `strata export --to onnx` writes, one writer each (as estimators/kinds.ts lists the kinds). */
export const KIND_GRAPHS: readonly KindGraph[] = [
  denseGraph,
  logisticGraph,
  xgboostGraph,
  autoGraph,
  voteGraph,
  stackGraph,
  cnnGraph,
  imageDenseGraph,
  transferGraph,
];

/** Every regressor kind `strata export --to onnx` writes (the regressor twins of the kinds above). */
export const REGRESSOR_GRAPHS: readonly RegressorGraph[] = [
  ridgeGraph,
  xgboostRegressorGraph,
  denseRegressorGraph,
  voteRegressorGraph,
  stackRegressorGraph,
  cnnRegressorGraph,
  imageDenseRegressorGraph,
  transferRegressorGraph,
  autoRegressorGraph,
];
