import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Frame } from "../src/data/frame.js";
import type { Classifier, EstimatorSpec } from "../src/estimators/estimator.js";
import { KINDS } from "../src/estimators/kinds.js";
import { createEstimator } from "../src/estimators/registry.js";
import { permutationImportance } from "../src/explain/permutation.js";
import { Rng } from "../src/util/random.js";
import { noXGBoost } from "./helpers/addons.js";

/** Four numeric columns, uniform in [-1, 1]; the label is whether x2 > 0 (x0, x1, x3 are noise). */
function table(n: number, seed: number): { x: Frame; y: string[] } {
  const rng = new Rng(seed);
  const cols: number[][] = [[], [], [], []];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    for (const c of cols) c.push(rng.next() * 2 - 1);
    y.push(cols[2][i] > 0 ? "yes" : "no");
  }
  return { x: Frame.fromColumns({ x0: cols[0], x1: cols[1], x2: cols[2], x3: cols[3] }), y };
}

const members: EstimatorSpec[] = [
  { kind: "logistic", params: {} },
  { kind: "xgboost", params: { nEstimators: 30, maxDepth: 3 } },
];

/** Small, fast params per table kind; a kind not listed here runs on its defaults. */
const PARAMS: Record<string, EstimatorSpec["params"]> = {
  dense: { hiddenUnits: [16], epochs: 60, patience: 60, learningRate: 0.01 },
  xgboost: { nEstimators: 30, maxDepth: 3 },
  logistic: {},
  vote: { members },
  stack: { members, folds: 3 },
};

const TABLE_KINDS = KINDS.filter((k) => k.input !== "images").map((k) => k.name);
const train = table(400, 1);
const heldOut = table(300, 2);
const fitted = new Map<string, Classifier<Frame>>();

before(async () => {
  for (const kind of TABLE_KINDS) {
    if (noXGBoost && (kind === "xgboost" || kind in { vote: 1, stack: 1, auto: 1 })) continue;
    const model = (await createEstimator({ kind, params: PARAMS[kind] ?? {} })) as Classifier<Frame>;
    await model.fit(train.x, train.y);
    fitted.set(kind, model);
  }
});
after(() => {
  for (const m of fitted.values()) m.dispose();
});

for (const kind of TABLE_KINDS) {
  test(`permutation importance: ${kind} ranks the one column the label depends on first, by a wide margin`, async (t) => {
    const model = fitted.get(kind);
    if (!model) return t.skip("XGBoost's library is not installed");
    const result = await permutationImportance(model, heldOut.x, heldOut.y, { repeats: 3, seed: 0 });
    assert.equal(result.rows, 300);
    assert.ok(result.baseline > 0.85, `${kind}: accuracy ${result.baseline}`);
    const [first, second] = result.importance;
    assert.equal(first.feature, "x2", JSON.stringify(result.importance));
    assert.ok(first.mean > 0.3, `${kind}: x2's drop ${first.mean}`);
    assert.ok(first.mean > 5 * Math.max(second.mean, 0.01), `${kind}: ${first.mean} against ${second.mean}`);
    assert.equal(result.importance.length, 4);
    for (const f of result.importance) assert.ok(Number.isFinite(f.std) && f.std >= 0);
    if (kind === "vote" || kind === "stack") {
      assert.deepEqual(
        result.members?.map((m) => m.name),
        ["logistic", "xgboost"],
      );
      for (const m of result.members ?? []) assert.equal(m.importance[0].feature, "x2", `member ${m.name}`);
    } else assert.equal(result.members, undefined);
  });
}

test("permutation importance: the same seed gives the same figures; columns shuffled together are one block", async (t) => {
  const model = fitted.get("logistic");
  if (!model) return t.skip("no logistic model");
  const a = await permutationImportance(model, heldOut.x, heldOut.y, { repeats: 2, seed: 5 });
  const b = await permutationImportance(model, heldOut.x, heldOut.y, { repeats: 2, seed: 5 });
  assert.deepEqual(a, b);
  const together = await permutationImportance(model, heldOut.x, heldOut.y, {
    repeats: 2,
    together: [["x1", "x2"]],
  });
  assert.deepEqual(together.importance.map((f) => f.feature).sort(), ["x0", "x1+x2", "x3"]);
  assert.equal(together.importance[0].feature, "x1+x2");
  await assert.rejects(
    () => permutationImportance(model, heldOut.x, heldOut.y, { together: [["x9"]] }),
    /no column "x9"/,
  );
});
