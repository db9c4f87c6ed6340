// Native memory: dispose() frees at once, and objects never disposed are freed by their
// N-API finalizers once garbage-collected. A Booster outlives the DMatrix it was trained on.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Booster, DMatrix, liveHandles, train } from "../src/index.js";
import { makeDataset, skipReason, xorRule } from "./helpers.js";

/** V8's gc(), exposed at run time (the test command passes no --expose-gc). */
function exposeGc(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

describe("lifecycle", { skip: skipReason }, () => {
  const data = makeDataset(200, 4, 14, xorRule);

  test("dispose() releases the handles at once", () => {
    const before = liveHandles();
    const d = new DMatrix(data.x, data.rows, data.cols);
    d.setLabel(data.y);
    const { booster } = train({ objective: "binary:logistic" }, d, { rounds: 2 });
    assert.deepEqual(liveHandles(), { dmatrices: before.dmatrices + 1, boosters: before.boosters + 1 });
    booster.dispose();
    d.dispose();
    assert.deepEqual(liveHandles(), before);
  });

  test("objects that are never disposed are freed when collected", async () => {
    const gc = exposeGc();
    const before = liveHandles();
    (() => {
      for (let k = 0; k < 20; k++) {
        const d = new DMatrix(data.x, data.rows, data.cols);
        d.setLabel(data.y);
        train({ objective: "binary:logistic" }, d, { rounds: 1 });
      }
    })();
    assert.ok(liveHandles().dmatrices >= before.dmatrices + 1);
    // Finalizers run after the collection, from the event loop; give them a few turns.
    const settled = () => {
      const now = liveHandles();
      return now.dmatrices === before.dmatrices && now.boosters === before.boosters;
    };
    for (let turn = 0; turn < 50 && !settled(); turn++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.deepEqual(liveHandles(), before);
  });

  test("a booster keeps working after its training matrix is disposed", () => {
    const d = new DMatrix(data.x, data.rows, data.cols);
    d.setLabel(data.y);
    const { booster } = train({ objective: "binary:logistic", seed: 0 }, d, { rounds: 5 });
    const dtest = new DMatrix(data.x, data.rows, data.cols);
    const before = booster.predict(dtest).values;
    d.dispose();
    assert.deepEqual(booster.predict(dtest).values, before);
    assert.equal(Booster.loadModel(booster.saveModelJson()).numBoostedRounds(), 5);
  });
});
