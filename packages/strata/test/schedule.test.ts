import assert from "node:assert/strict";
import { test } from "node:test";
import { learningRateAt } from "../src/train/schedule.js";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test("constant and step schedules", () => {
  close(learningRateAt({ kind: "constant" }, 0.1, 7, 0.7, 10), 0.1);
  const step = { kind: "step", every: 3, factor: 0.5 } as const;
  close(learningRateAt(step, 0.1, 2, 0.2, 10), 0.1);
  close(learningRateAt(step, 0.1, 3, 0.3, 10), 0.05);
  close(learningRateAt(step, 0.1, 9, 0.9, 10), 0.0125);
});

test("cosine: warm-up, then from the base rate down to base × minFactor", () => {
  const cos = { kind: "cosine", warmupEpochs: 2, minFactor: 0.1 } as const;
  close(learningRateAt(cos, 1, 0, 0.1, 10), 0.5); // halfway through warm-up (epoch 1 of 2)
  close(learningRateAt(cos, 1, 2, 0.2, 10), 1); // end of warm-up
  close(learningRateAt(cos, 1, 6, 0.6, 10), 0.1 + 0.45); // halfway through the decay: min + (base - min) / 2
  close(learningRateAt(cos, 1, 9, 1, 10), 0.1);
});

test("one-cycle: rises to the base rate at 30% of training, ends near zero", () => {
  const one = { kind: "onecycle" } as const;
  close(learningRateAt(one, 1, 0, 0, 10), 1 / 25);
  close(learningRateAt(one, 1, 3, 0.3, 10), 1);
  close(learningRateAt(one, 1, 9, 1, 10), 1e-4);
  assert.ok(learningRateAt(one, 1, 1, 0.15, 10) < learningRateAt(one, 1, 2, 0.25, 10));
});
