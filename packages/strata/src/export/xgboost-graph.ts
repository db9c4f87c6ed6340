import { StrataError } from "../errors.js";
import type { XGBoostClassifier } from "../estimators/xgboost.js";
import { scoresToProbabilities } from "./heads.js";
import { type GraphBuilder, ML } from "./onnx-graph.js";

/** The parts of XGBoost's JSON model (saveModelJson) the export reads. */
interface XgbTree {
  readonly left_children: number[];
  readonly right_children: number[];
  readonly split_indices: number[];
  readonly split_conditions: number[];
  readonly default_left: number[];
  readonly categories?: number[];
}
interface XgbJson {
  readonly learner: {
    readonly learner_model_param: { readonly base_score: string; readonly num_class: string };
    readonly objective: { readonly name: string };
    readonly gradient_booster: {
      readonly name: string;
      readonly model: {
        readonly gbtree_model_param?: { readonly num_parallel_tree?: string };
        readonly trees: XgbTree[];
        readonly tree_info: number[];
      };
    };
  };
}

/**
 * XGBoost's probabilities from the [rows, features] matrix: the trees of the rounds that predict
 * as one ai.onnx.ml TreeEnsembleRegressor summing each class's margin (a split sends x < threshold
 * left, a missing value where XGBoost's default_left says), base_values the base margin, then a
 * sigmoid (binary:logistic) or a softmax (multi:softprob), as XGBoost predicts.
 */
export function addXGBoost(g: GraphBuilder, model: XGBoostClassifier, features: string): string {
  const { booster, rounds } = model.booster;
  const json = JSON.parse(Buffer.from(booster.saveModelJson()).toString("utf8")) as XgbJson;
  const learner = json.learner;
  const objective = learner.objective.name;
  if (
    learner.gradient_booster.name !== "gbtree" ||
    !["binary:logistic", "multi:softprob"].includes(objective)
  )
    throw new StrataError(
      `an XGBoost model with booster ${learner.gradient_booster.name} and objective ${objective} cannot be exported`,
    );
  const binary = objective === "binary:logistic";
  const targets = binary ? 1 : Number(learner.learner_model_param.num_class);
  const parallel = Number(learner.gradient_booster.model.gbtree_model_param?.num_parallel_tree ?? 1);
  const count = rounds * targets * parallel;
  const { trees, tree_info } = learner.gradient_booster.model;
  const base = Number(learner.learner_model_param.base_score);
  // binary:logistic keeps its base score as a probability; multi:softprob adds it as a margin.
  const margin = binary ? Math.log(base / (1 - base)) : base;
  const n = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    featureIds: [] as number[],
    modes: [] as string[],
    values: [] as number[],
    trueIds: [] as number[],
    falseIds: [] as number[],
    missingTrue: [] as number[],
  };
  const t = {
    treeIds: [] as number[],
    nodeIds: [] as number[],
    ids: [] as number[],
    weights: [] as number[],
  };
  trees.slice(0, count).forEach((tree, id) => {
    if ((tree.categories ?? []).length > 0)
      throw new StrataError("an XGBoost model with categorical splits cannot be exported");
    tree.left_children.forEach((left, node) => {
      const leaf = left === -1;
      n.treeIds.push(id);
      n.nodeIds.push(node);
      n.featureIds.push(leaf ? 0 : tree.split_indices[node]);
      n.modes.push(leaf ? "LEAF" : "BRANCH_LT");
      n.values.push(leaf ? 0 : tree.split_conditions[node]);
      n.trueIds.push(leaf ? 0 : left);
      n.falseIds.push(leaf ? 0 : tree.right_children[node]);
      n.missingTrue.push(!leaf && tree.default_left[node] ? 1 : 0);
      if (leaf) {
        t.treeIds.push(id);
        t.nodeIds.push(node);
        t.ids.push(binary ? 0 : tree_info[id]);
        t.weights.push(tree.split_conditions[node]);
      }
    });
  });
  const scores = g.op(
    "TreeEnsembleRegressor",
    [features],
    {
      n_targets: { int: targets },
      aggregate_function: { string: "SUM" },
      post_transform: { string: "NONE" },
      base_values: { floats: new Array(targets).fill(margin) },
      nodes_treeids: { ints: n.treeIds },
      nodes_nodeids: { ints: n.nodeIds },
      nodes_featureids: { ints: n.featureIds },
      nodes_modes: { strings: n.modes },
      nodes_values: { floats: n.values },
      nodes_truenodeids: { ints: n.trueIds },
      nodes_falsenodeids: { ints: n.falseIds },
      nodes_missing_value_tracks_true: { ints: n.missingTrue },
      target_treeids: { ints: t.treeIds },
      target_nodeids: { ints: t.nodeIds },
      target_ids: { ints: t.ids },
      target_weights: { floats: t.weights },
    },
    ML,
  );
  g.declare(scores, "float", ["rows", targets]);
  return scoresToProbabilities(g, scores, targets);
}
