import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { useBackend } from "../src/backend.js";
import { formatLeaderboard } from "../src/cli/leaderboard.js";
import { Frame } from "../src/data/frame.js";
import { AutoClassifier, type AutoClassifierParams, CHOSEN_DIR } from "../src/estimators/auto.js";
import { chooseCandidate } from "../src/estimators/auto-search.js";
import { builtInKinds } from "../src/estimators/built-in-kinds.js";
import type { Classifier, EstimatorSpec, TableData } from "../src/estimators/estimator.js";
import { loadClassifier } from "../src/estimators/load.js";
import { StackingClassifier } from "../src/estimators/stacking.js";
import { exportOnnx } from "../src/export/onnx-export.js";
import { Rng } from "../src/util/random.js";
import { fitAndScore } from "../src/workflow/fit-and-score.js";
import { noXGBoost } from "./helpers/addons.js";
import { tempDir } from "./helpers/cli.js";
import { maxAbsDiff, runOnnx } from "./helpers/onnx.js";

/** The four default candidates, each small and fast. */
const FAST: AutoClassifierParams["candidates"] = [
  "logistic",
  { kind: "xgboost", params: { nEstimators: 20, maxDepth: 3 } },
  { kind: "dense", params: { hiddenUnits: [16], epochs: 30, learningRate: 0.02, patience: 0 } },
  "stack",
];

function auto(params: Partial<AutoClassifierParams> = {}): AutoClassifier<string> {
  return new AutoClassifier<string>({ candidates: FAST, ...params }, builtInKinds);
}

/** Two numeric columns; the class is the side of the line x1 + x2 = 0, no row within 0.3 of it. */
function separable(n: number, seed: number): { x: Frame; y: string[] } {
  const rng = new Rng(seed);
  const x1: number[] = [];
  const x2: number[] = [];
  const y: string[] = [];
  while (y.length < n) {
    const a = rng.next() * 4 - 2;
    const b = rng.next() * 4 - 2;
    if (Math.abs(a + b) < 0.3) continue;
    x1.push(a);
    x2.push(b);
    y.push(a + b > 0 ? "pos" : "neg");
  }
  return { x: Frame.fromColumns({ x1, x2 }), y };
}

/** Inside or outside a circle: no line separates it, trees do. */
function circle(n: number, seed: number): { x: Frame; y: string[] } {
  const rng = new Rng(seed);
  const x1: number[] = [];
  const x2: number[] = [];
  const y: string[] = [];
  while (y.length < n) {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    const r = Math.hypot(a, b);
    if (Math.abs(r - 0.7) < 0.08) continue;
    x1.push(a);
    x2.push(b);
    y.push(r < 0.7 ? "inside" : "outside");
  }
  return { x: Frame.fromColumns({ x1, x2 }), y };
}

const skip = noXGBoost;

test("the choice is the first candidate within one std of the best mean", () => {
  const row = (name: string, mean: number, std: number) => ({ name, mean, std, seconds: 0 });
  // Best 0.84 ± 0.03: 0.80 is outside, 0.83 within.
  assert.equal(chooseCandidate([row("a", 0.8, 0.02), row("b", 0.83, 0.01), row("c", 0.84, 0.03)]), 1);
  // The best alone when no simpler one is close.
  assert.equal(chooseCandidate([row("a", 0.5, 0), row("b", 0.9, 0.01)]), 1);
  // Equal means: the simplest.
  assert.equal(chooseCandidate([row("a", 1, 0), row("b", 1, 0)]), 0);
});

test("a linearly separable table: four candidates on the leaderboard, logistic chosen as the simplest", {
  skip,
}, async () => {
  await useBackend();
  const { x, y } = separable(150, 1);
  const model = await auto().fit(x, y, { jobs: 1 });
  try {
    const board = model.leaderboard;
    assert.deepEqual(
      board.map((r) => r.name),
      ["logistic", "xgboost", "dense", "stack"],
    );
    for (const r of board) {
      assert.ok(Number.isFinite(r.mean) && r.mean >= 0 && r.mean <= 1, `${r.name}: mean ${r.mean}`);
      assert.ok(Number.isFinite(r.std) && r.std >= 0, `${r.name}: std ${r.std}`);
      assert.ok(Number.isFinite(r.seconds) && r.seconds >= 0, `${r.name}: seconds ${r.seconds}`);
    }
    assert.deepEqual(
      board.filter((r) => r.chosen).map((r) => r.name),
      ["logistic"],
    );
    assert.ok(board[0].mean > 0.95, `logistic's CV accuracy ${board[0].mean}`);
    assert.equal(model.chosen.kind, "logistic");
    assert.deepEqual(model.fitSummary?.leaderboard, board);
    // The chosen model, refit on every row, predicts for the AutoClassifier.
    const fresh = separable(60, 2);
    const predicted = await model.predict(fresh.x);
    assert.deepEqual(predicted, await model.chosen.predict(fresh.x));
    const right = predicted.filter((p, i) => p === fresh.y[i]).length;
    assert.ok(right / 60 > 0.95, `accuracy on new rows ${right / 60}`);
  } finally {
    model.dispose();
  }
});

test("a circle: logistic regression cannot, so a model that can is chosen", { skip }, async () => {
  await useBackend();
  const { x, y } = circle(200, 3);
  const model = await auto({ candidates: FAST.slice(0, 2) }).fit(x, y, { jobs: 1 });
  try {
    const [logistic, xgboost] = model.leaderboard;
    assert.ok(logistic.mean < 0.75, `logistic's CV accuracy ${logistic.mean}`);
    assert.ok(xgboost.mean > 0.9, `xgboost's CV accuracy ${xgboost.mean}`);
    assert.equal(model.chosen.kind, "xgboost");
    assert.ok(xgboost.chosen && !logistic.chosen);
  } finally {
    model.dispose();
  }
});

test("a stack chosen is the stack stacking.ts fits: the same out-of-fold probabilities, the same predictions", {
  skip,
}, async () => {
  await useBackend();
  const { x, y } = circle(150, 8);
  const members: EstimatorSpec[] = [
    { kind: "xgboost", params: { nEstimators: 20, maxDepth: 3 } },
    { kind: "logistic", params: {} },
  ];
  // The stack first: the simplest by the given order, so chosen whenever it is within one std.
  const model = await auto({ candidates: ["stack", ...members], folds: 4, seed: 3 }).fit(x, y, { jobs: 1 });
  // The auto model's seed seeds the candidates that have a seed param (xgboost here).
  const seeded: EstimatorSpec[] = [
    { kind: "xgboost", params: { nEstimators: 20, maxDepth: 3, seed: 3 } },
    members[1],
  ];
  const stack = await new StackingClassifier({ members: seeded, folds: 4, seed: 3 }).fit(x, y, { jobs: 1 });
  try {
    assert.equal(model.leaderboard[0].name, "stack");
    assert.ok(model.leaderboard[0].chosen, JSON.stringify(model.leaderboard));
    assert.ok(model.chosen instanceof StackingClassifier);
    assert.deepEqual(model.chosen.outOfFold, stack.outOfFold);
    assert.deepEqual((await model.predictProba(x)).data, (await stack.predictProba(x)).data);
  } finally {
    model.dispose();
    stack.dispose();
  }
});

test("the test split never informs the choice: its labels changed, the leaderboard is the same", {
  skip,
}, async () => {
  await useBackend();
  const train = separable(120, 4);
  const test = separable(80, 5);
  const boards = [];
  for (const labels of [test.y, test.y.map((l, i) => (i % 2 === 0 ? l : l === "pos" ? "neg" : "pos"))]) {
    const result = await fitAndScore(
      auto() as Classifier<Frame>,
      { x: train.x, y: train.y },
      { x: test.x, y: labels },
      { classes: ["neg", "pos"], jobs: 1 } as object,
    );
    boards.push(result.model.fitSummary?.leaderboard?.map(({ seconds: _, ...r }) => r));
    result.model.dispose();
  }
  assert.ok(boards[0] !== undefined);
  assert.deepEqual(boards[1], boards[0]);
});

test("save and load: the same predictions, the leaderboard kept, the chosen model loadable alone", {
  skip,
}, async (t) => {
  await useBackend();
  const dir = tempDir(t, "strata-auto-");
  const { x, y } = circle(160, 6);
  const numbers = y.map((l) => (l === "inside" ? 1 : 0));
  const model = await new AutoClassifier<number>({ candidates: FAST, folds: 3, seed: 2 }, builtInKinds).fit(
    x,
    numbers,
    { jobs: 1 },
  );
  try {
    await model.save(dir);
    const loaded = await loadClassifier(dir);
    try {
      assert.ok(loaded instanceof AutoClassifier);
      assert.equal(loaded.kind, "auto");
      assert.deepEqual(loaded.getParams(), model.getParams());
      assert.deepEqual(loaded.leaderboard, model.leaderboard);
      assert.equal(loaded.chosen.kind, model.chosen.kind);
      const table = loaded as Classifier<TableData>;
      assert.deepEqual((await table.predictProba(x)).data, (await model.predictProba(x)).data);
      assert.deepEqual(await table.predict(x), await model.predict(x), "numeric labels come back as numbers");
    } finally {
      loaded.dispose();
    }
    const alone = await loadClassifier(`${dir}/${CHOSEN_DIR}`);
    assert.equal(alone.kind, model.chosen.kind);
    alone.dispose();
    // Exported to ONNX, it is the chosen model's graph, with the chosen model's columns as inputs.
    const exported = await exportOnnx(dir);
    assert.deepEqual(
      exported.inputs.map((i) => i.name),
      ["x1", "x2"],
    );
    const column = (name: string) => {
      const c = x.column(name);
      return new ort.Tensor("float32", Float32Array.from(c.values as Float64Array), [x.nRows, 1]);
    };
    const { outputs } = await runOnnx(exported.bytes, { x1: column("x1"), x2: column("x2") });
    const want = (await model.predictProba(x)).data;
    assert.ok(maxAbsDiff(outputs.probabilities.data as Float32Array, want) < 1e-4);
  } finally {
    model.dispose();
  }
});

test("folds are grouped by fit's groups: too few groups are refused, naming the folds", {
  skip,
}, async () => {
  const { x, y } = separable(60, 7);
  const groups = y.map((_, i) => `g${i % 3}`);
  await assert.rejects(
    auto({ candidates: ["logistic"] }).fit(x, y, { groups, jobs: 1 }),
    /AutoClassifier: out-of-fold predictions \(folds = 5\): .*at least 5 distinct groups, got 3/,
  );
});

test("bad candidates are refused when the model is made", () => {
  assert.throws(() => auto({ candidates: ["stack"] }), /a stack candidate stacks the other candidates/);
  assert.throws(() => auto({ candidates: ["logistic", "cnn"] }), /candidate cnn takes images/);
  assert.throws(() => auto({ candidates: ["logistic", "logistic"] }), /"logistic" is given twice/);
  assert.throws(
    () => auto({ candidates: ["logistic", "forest"] }),
    /candidate forest: unknown kind "forest"/,
  );
  assert.throws(
    () => auto({ candidates: ["logistic", { kind: "stack", params: { folds: 3 } }] }),
    /the stack candidate's folds are the AutoClassifier's/,
  );
  assert.throws(() => auto({ folds: 1 }), /AutoClassifier: folds must be an integer >= 2, got 1/);
});

test("the CLI's leaderboard table: each candidate's accuracy ± std and fit seconds, the chosen one marked", () => {
  const lines = formatLeaderboard([
    { name: "logistic", mean: 0.7735, std: 0.0429, seconds: 0.04, chosen: true },
    { name: "dense", mean: 0.754, std: 0.0282, seconds: 2.01, chosen: false },
  ]);
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^model\s+CV accuracy\s+fit s$/);
  assert.match(lines[1], /^logistic {2}0\.7735 ± 0\.0429 {4}0\.0 {2}← chosen$/);
  assert.match(lines[2], /^dense {5}0\.7540 ± 0\.0282 {4}2\.0$/);
});
