// Parsing XGBoost's evaluation line and telling metric directions: plain TypeScript, runs
// without libxgboost.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEvalLine } from "../src/eval-line.js";
import { isMaximizedMetric } from "../src/index.js";

test("parseEvalLine keeps XGBoost's order and full precision", () => {
  assert.deepEqual(
    parseEvalLine("[12]\ttrain-logloss:0.44572611853480337\tvalid-logloss:0.5\tvalid-error@0.6:0.25"),
    [
      ["train-logloss", 0.44572611853480337],
      ["valid-logloss", 0.5],
      ["valid-error@0.6", 0.25],
    ],
  );
  assert.deepEqual(parseEvalLine("[0]"), []);
  assert.throws(() => parseEvalLine("[0]\tgarbage"), /unexpected field/);
});

test("isMaximizedMetric follows Python's xgboost", () => {
  for (const m of ["auc", "aucpr", "auc@2", "map", "map@3", "ndcg", "ndcg@5-", "pre@4"])
    assert.ok(isMaximizedMetric(m), m);
  for (const m of ["logloss", "mlogloss", "error", "merror", "rmse", "mae", "mape", "error@0.6"])
    assert.ok(!isMaximizedMetric(m), m);
});
