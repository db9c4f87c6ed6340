import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { Frame } from "../src/data/frame.js";
import { type TableData, tableFrame } from "../src/data/plain.js";
import { crossValPredictRegressor, regressionSplits } from "../src/estimators/cross-val-predict-regressor.js";
import { loadRegressor } from "../src/estimators/load-regressor.js";
import type { Regressor, RegressorFitOptions } from "../src/estimators/regressor.js";
import { RidgeRegressor } from "../src/estimators/ridge.js";
import { StackingRegressor } from "../src/estimators/stacking-regressor.js";
import { VotingRegressor } from "../src/estimators/voting-regressor.js";
import { rmse } from "../src/metrics/regression.js";
import { holdoutSplit } from "../src/split/holdout.js";
import { kFold } from "../src/split/kfold.js";
import type { Params } from "../src/util/params.js";
import { Rng } from "../src/util/random.js";
import { noXGBoost } from "./helpers/addons.js";
import { useScratchHome } from "./helpers/scratch-home.js";

let dir = "";
useScratchHome("strata-regression-ensembles-", (d) => {
  dir = d;
});

const RIDGE = { kind: "ridge", params: {} };
/** Small and fast: 30 rounds of depth 3 at eta 0.3. */
const TREES = { kind: "xgboost-regressor", params: { nEstimators: 30, maxDepth: 3, learningRate: 0.3 } };

/**
 * y = sin(3·x0) + x1 + noise (sd 0.1), x0 and x1 uniform in [-2, 2], a few rows in each of
 * `groups` groups: trees capture the sine, a linear model only x1 (and the sine's slope).
 */
function sineTable(n: number, seed: number, groups = 20): { x: Frame; y: number[]; groups: string[] } {
  const rng = new Rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  const x0: number[] = [];
  const x1: number[] = [];
  const y: number[] = [];
  const g: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = 4 * rng.next() - 2;
    const b = 4 * rng.next() - 2;
    x0.push(a);
    x1.push(b);
    y.push(Math.sin(3 * a) + b + 0.1 * normal());
    g.push(`g${rng.int(groups)}`);
  }
  return { x: Frame.fromColumns({ x0, x1 }), y, groups: g };
}

describe("StackingRegressor learns which member to trust", { skip: noXGBoost }, () => {
  test("on y = sin(3·x0) + x1: held-out RMSE at most the best member's, meta-weights on the trees", async () => {
    const data = sineTable(600, 3);
    const { train, test: held } = holdoutSplit(data.y.length, { testSize: 0.25, seed: 0 });
    const yTrain = train.map((i) => data.y[i]);
    const yTest = held.map((i) => data.y[i]);
    const stack = await new StackingRegressor({ members: [RIDGE, TREES] }).fit(data.x.take(train), yTrain);
    const votes = await stack.predictVotes(data.x.take(held));
    const [ridge, trees] = votes.members.map((m) => rmse(yTest, m.predictions));
    const stacked = rmse(yTest, votes.combined);
    const mean = yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
    const baseline = rmse(
      yTest,
      yTest.map(() => mean),
    );
    // Measured: ridge 0.66, trees 0.21, stack 0.19, the mean 1.25; meta coefficients 0.05 and 1.01.
    assert.ok(trees < 0.5 * ridge, `the trees (${trees}) are the much better member (ridge ${ridge})`);
    assert.ok(stacked <= Math.min(ridge, trees) + 0.02, `stack ${stacked}, members ${ridge}, ${trees}`);
    assert.ok(stacked < 0.3 * baseline, `stack ${stacked}, mean baseline ${baseline}`);
    const { coef } = stack.metaWeights;
    assert.equal(coef.length, 2);
    assert.ok(coef[1] > 0.7 && coef[1] > 3 * Math.abs(coef[0]), `meta coefficients ${coef}`);
    // The out-of-fold scores say the same, member by member.
    const oof = stack.outOfFold!;
    assert.deepEqual(
      oof.map((o) => o.name),
      ["ridge", "xgboost-regressor"],
    );
    assert.ok(oof[1].rmse < 0.5 * oof[0].rmse, `out-of-fold RMSE ${oof.map((o) => o.rmse)}`);
    stack.dispose();
  });

  test("predictVotes: one array per member beside the combined one, which predict returns", async () => {
    const data = sineTable(200, 4);
    const stack = await new StackingRegressor({ members: [RIDGE, TREES], folds: 3 }).fit(data.x, data.y);
    const vote = await new VotingRegressor({ members: [RIDGE, TREES], weights: [1, 3] }).fit(data.x, data.y);
    for (const model of [stack, vote]) {
      const votes = await model.predictVotes(data.x);
      assert.deepEqual(
        votes.members.map((m) => m.name),
        ["ridge", "xgboost-regressor"],
      );
      for (const m of votes.members) assert.equal(m.predictions.length, data.y.length);
      assert.deepEqual(votes.combined, await model.predict(data.x));
    }
    // How each combines its members' predictions.
    const s = await stack.predictVotes(data.x);
    const { coef, intercept } = stack.metaWeights;
    s.combined.forEach((v, r) => {
      const expected =
        intercept + coef[0] * s.members[0].predictions[r] + coef[1] * s.members[1].predictions[r];
      assert.ok(Math.abs(v - expected) < 1e-9, `row ${r}: ${v} vs ${expected}`);
    });
    const v = await vote.predictVotes(data.x);
    assert.deepEqual(vote.weights, [0.25, 0.75]);
    v.combined.forEach((value, r) => {
      const expected = 0.25 * v.members[0].predictions[r] + 0.75 * v.members[1].predictions[r];
      assert.ok(Math.abs(value - expected) < 1e-9, `row ${r}: ${value} vs ${expected}`);
    });

    // Saved: each member its own loadable directory, members/<n>-<name>/.
    const saved = join(dir, "stack-members");
    await stack.save(saved);
    for (const member of ["members/1-ridge", "members/2-xgboost-regressor"])
      assert.ok(existsSync(join(saved, member, "strata.json")), `${member} saved`);
    const alone = await loadRegressor(join(saved, "members/2-xgboost-regressor"));
    assert.deepEqual(await alone.predict(data.x), s.members[1].predictions);
    alone.dispose();
    stack.dispose();
    vote.dispose();
  });
});

describe("a regressor ensemble with a network member", () => {
  test("ridge + dense-regressor: each fit reported, save → load the same, no tensors left", async () => {
    await useBackend();
    const before = tf.memory().numTensors;
    const data = sineTable(120, 8);
    const dense = { kind: "dense-regressor", params: { hiddenUnits: [8], epochs: 5 } };
    const fits: string[] = [];
    const stack = await new StackingRegressor({ members: [RIDGE, dense], folds: 2 }).fit(data.x, data.y, {
      onFit: (what, seconds) => {
        assert.ok(seconds >= 0);
        fits.push(what);
      },
    });
    assert.deepEqual(fits, [
      "StackingRegressor: member 1 (ridge), fit on all 120 rows",
      "StackingRegressor: member 2 (dense-regressor), fit on all 120 rows",
      "StackingRegressor: member 1 (ridge), fold 1 of 2",
      "StackingRegressor: member 1 (ridge), fold 2 of 2",
      "StackingRegressor: member 2 (dense-regressor), fold 1 of 2",
      "StackingRegressor: member 2 (dense-regressor), fold 2 of 2",
    ]);
    const saved = join(dir, "stack-dense");
    await stack.save(saved);
    const loaded = await loadRegressor(saved);
    assert.deepEqual(await loaded.predict(data.x), await stack.predict(data.x));
    loaded.dispose();
    stack.dispose();
    assert.equal(tf.memory().numTensors, before, "the members' networks are freed");
  });
});

describe("a saved regressor ensemble", () => {
  test("a damaged ensemble.json or a missing member directory is refused, naming it", async () => {
    const data = sineTable(80, 9);
    const vote = await new VotingRegressor({
      members: [RIDGE, { kind: "ridge", params: { alpha: 10 } }],
    }).fit(data.x, data.y);
    const saved = join(dir, "vote-damaged");
    await vote.save(saved);
    vote.dispose();
    const json = join(saved, "ensemble.json");
    const original = readFileSync(json, "utf8");
    writeFileSync(json, original.replace(/"weights":\s*\[[^\]]*\]/, '"weights": [0.5]'));
    await assert.rejects(
      loadRegressor(saved),
      /ensemble\.json: damaged: "combiner\.weights" is not one finite number per member/,
    );
    writeFileSync(json, original);
    rmSync(join(saved, "members/2-ridge#2"), { recursive: true, force: true });
    await assert.rejects(loadRegressor(saved), /member 2 \(ridge#2\) in .* is missing/);
  });
});

/** A regressor that predicts 0 and records, for each fit, the ids of its train rows and the groups it was given. */
class RecordingRegressor implements Regressor<TableData> {
  readonly kind = "recording";
  readonly input = "table" as const;
  readonly task = "regression" as const;
  readonly fitSummary = undefined;
  constructor(readonly log: { fit: number[]; groups?: readonly string[]; predicted?: number[] }[]) {}
  private current?: { fit: number[]; groups?: readonly string[]; predicted?: number[] };
  async fit(x: TableData, _y: readonly number[], options: RegressorFitOptions = {}): Promise<this> {
    this.current = { fit: ids(x), groups: options.groups };
    this.log.push(this.current);
    return this;
  }
  async predict(x: TableData): Promise<Float64Array> {
    this.current!.predicted = ids(x);
    return new Float64Array(ids(x).length);
  }
  getParams(): Params {
    return {};
  }
  clone(): RecordingRegressor {
    return new RecordingRegressor(this.log);
  }
  async save(): Promise<void> {}
  async writeFiles(): Promise<void> {}
  dispose(): void {}
}

function ids(x: TableData): number[] {
  const column = tableFrame(x).column("id");
  return Array.from(column.values as Float64Array);
}

describe("crossValPredictRegressor", () => {
  const n = 120;
  const data = sineTable(n, 5, 12);
  const x = Frame.fromColumns({
    id: Array.from({ length: n }, (_, i) => i),
    x0: Array.from(data.x.column("x0").values as Float64Array),
  });

  test("grouped: no group is on both sides of a fold, and each fit gets its rows' groups", async () => {
    const log: { fit: number[]; groups?: readonly string[]; predicted?: number[] }[] = [];
    const oof = await crossValPredictRegressor(new RecordingRegressor(log), x, data.y, {
      folds: 4,
      groups: data.groups,
    });
    assert.equal(oof.length, n);
    assert.equal(log.length, 4, "one fit per fold (the template is not fitted)");
    const predicted = log.flatMap((f) => f.predicted!).sort((a, b) => a - b);
    assert.deepEqual(
      predicted,
      Array.from({ length: n }, (_, i) => i),
      "every row predicted once",
    );
    for (const fold of log) {
      const seen = new Set(fold.fit.map((i) => data.groups[i]));
      const held = new Set(fold.predicted!.map((i) => data.groups[i]));
      assert.deepEqual(
        [...held].filter((g) => seen.has(g)),
        [],
        "held-out groups unseen by the fit",
      );
      assert.deepEqual(
        fold.groups,
        fold.fit.map((i) => data.groups[i]),
        "the fit gets its rows' groups",
      );
    }
  });

  test("grouped out-of-fold predictions cannot learn a group's own effect; ungrouped ones can", async () => {
    // y is each group's offset: a model of the group column predicts it for seen groups only.
    const rng = new Rng(6);
    const offset = new Map<string, number>();
    const y = data.groups.map((g) => {
      if (!offset.has(g)) offset.set(g, 4 * rng.next() - 2);
      return offset.get(g)! + 0.05 * (rng.next() - 0.5);
    });
    const byGroup = Frame.fromColumns({ group: data.groups });
    const ridge = new RidgeRegressor({ alpha: 0.1 });
    const grouped = rmse(y, await crossValPredictRegressor(ridge, byGroup, y, { groups: data.groups }));
    const plain = rmse(y, await crossValPredictRegressor(ridge, byGroup, y));
    assert.ok(plain < 0.1, `ungrouped out-of-fold RMSE ${plain}`);
    assert.ok(grouped > 0.5, `grouped out-of-fold RMSE ${grouped}`);
  });

  test("ungrouped folds are stratified by the target's quantiles; the same seed gives the same folds", () => {
    const { y } = sineTable(600, 7);
    const mean = (idx: readonly number[]) => idx.reduce((a, i) => a + y[i], 0) / idx.length;
    const all = mean(y.map((_, i) => i));
    const spread = (splits: readonly { test: number[] }[]) =>
      Math.max(...splits.map((s) => Math.abs(mean(s.test) - all)));
    const stratified = regressionSplits(y, { folds: 5, seed: 1 });
    // Measured on five such targets: stratified folds' means within 0.02 of the whole's, plain ones 0.14-0.26.
    const plain = spread(kFold(y.length, { k: 5, seed: 1 }));
    assert.ok(spread(stratified) < 0.05, `stratified folds' means differ by up to ${spread(stratified)}`);
    assert.ok(spread(stratified) < plain / 3, `stratified ${spread(stratified)}, plain ${plain}`);
    assert.deepEqual(regressionSplits(y, { folds: 5, seed: 1 }), stratified);
  });

  test("a stack refuses fewer groups than folds before fitting anything, naming itself", async () => {
    const few = data.groups.map((g) => `${Number(g.slice(1)) % 3}`);
    await assert.rejects(
      new StackingRegressor({ members: [RIDGE] }).fit(data.x, data.y, { groups: few }),
      /StackingRegressor: out-of-fold predictions \(folds = 5\): k = 5 folds need at least 5 distinct groups, got 3/,
    );
  });
});
