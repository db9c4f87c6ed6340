import { StrataError } from "../errors.js";
import type { XGBoostClassifier } from "../estimators/xgboost.js";
import type { FittedBooster } from "../estimators/xgboost-booster.js";
import type { XGBoostRegressor } from "../estimators/xgboost-regressor.js";
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
 * How each objective strata trains turns XGBoost's base_score into the margin the trees add to
 * (XGBoost 1.7's ProbToMargin): binary:logistic keeps it as a probability (its logit is the
 * margin); multi:softprob and reg:squarederror (an identity link) add it as it is.
 */
const BASE_MARGIN: Readonly<Record<string, (base: number) => number>> = {
  "binary:logistic": (base) => Math.log(base / (1 - base)),
  "multi:softprob": (base) => base,
  "reg:squarederror": (base) => base,
};

/**
 * XGBoost's probabilities from the [rows, features] matrix: its margins (boosterMargins), then a
 * sigmoid (binary:logistic) or a softmax (multi:softprob), as XGBoost predicts.
 */
export function addXGBoost(g: GraphBuilder, model: XGBoostClassifier, features: string): string {
  const { scores, targets } = boosterMargins(g, model.booster, features, [
    "binary:logistic",
    "multi:softprob",
  ]);
  return scoresToProbabilities(g, scores, targets);
}

/**
 * An XGBoost regressor's prediction [rows, 1] from the [rows, features] matrix: under
 * reg:squarederror the margin is the prediction (base_score, the fit rows' mean target, plus the
 * trees' leaves).
 */
export function addXGBoostRegressor(g: GraphBuilder, model: XGBoostRegressor, features: string): string {
  return boosterMargins(g, model.booster, features, ["reg:squarederror"]).scores;
}

/**
 * A booster's margins [rows, targets] (one target for binary:logistic and reg:squarederror, one
 * per class for multi:softprob): the trees of the rounds that predict as one ai.onnx.ml
 * TreeEnsembleRegressor summing each target's leaves (a split sends x < threshold left, a missing
 * value where XGBoost's default_left says), base_values the base margin. `objectives`: those the
 * caller's model may have.
 */
function boosterMargins(
  g: GraphBuilder,
  fitted: FittedBooster,
  features: string,
  objectives: readonly string[],
): { scores: string; targets: number } {
  const { booster, rounds } = fitted;
  const json = JSON.parse(Buffer.from(booster.saveModelJson()).toString("utf8")) as XgbJson;
  const learner = json.learner;
  const objective = learner.objective.name;
  if (learner.gradient_booster.name !== "gbtree" || !objectives.includes(objective))
    throw new StrataError(
      `an XGBoost model with booster ${learner.gradient_booster.name} and objective ${objective} cannot be exported`,
    );
  const single = objective !== "multi:softprob";
  const targets = single ? 1 : Number(learner.learner_model_param.num_class);
  const parallel = Number(learner.gradient_booster.model.gbtree_model_param?.num_parallel_tree ?? 1);
  const count = rounds * targets * parallel;
  const { trees, tree_info } = learner.gradient_booster.model;
  const margin = BASE_MARGIN[objective](Number(learner.learner_model_param.base_score));
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
        t.ids.push(single ? 0 : tree_info[id]);
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
  return { scores, targets };
}
