import { autoGraph } from "./auto-graph.js";
import { stackGraph, voteGraph } from "./ensemble-graphs.js";
import { cnnGraph, imageDenseGraph, transferGraph } from "./image-graphs.js";
import type { KindGraph } from "./kind-graph.js";
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
