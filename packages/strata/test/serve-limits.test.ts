// The server's parts with stand-in models, in process: the serial queue, the cap on requests
// in flight, ensembles' votes (a model with predictVotes) in the answer and on the page, and
// which Host headers count as loopback.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import type { Frame } from "../src/data/frame.js";
import type { TabularSchema } from "../src/data/schema.js";
import type { AnyClassifier } from "../src/estimators/estimator.js";
import type { ModelInfo, ServedModel } from "../src/serve/model.js";
import type { Votes } from "../src/serve/predictor.js";
import { SerialQueue } from "../src/serve/queue.js";
import { createServer, isLoopbackAddress, isLoopbackHost, type ServerLimits } from "../src/serve/server.js";
import { type Matrix, matrix } from "../src/util/matrix.js";
import { launchChromium, watchPage } from "./helpers/browser.js";
import { tempDir } from "./helpers/cli.js";

const SCHEMA: TabularSchema = {
  target: "y",
  features: [{ name: "x", kind: "numeric", parse: "number" }],
  dropped: [],
};
const CLASSES = ["cat", "dog", "fox"];

/** P(class) from x alone: a stand-in for a fitted table model. */
function probaOf(frame: Frame): Matrix {
  const x = frame.column("x");
  if (x.kind !== "numeric") throw new Error("x is numeric");
  const m = matrix(frame.nRows, 3);
  x.values.forEach((v, r) => {
    const s = [Math.exp(-v), 1, Math.exp(v)];
    const total = s[0] + s[1] + s[2];
    s.forEach((p, c) => {
      m.data[3 * r + c] = p / total;
    });
  });
  return m;
}

/** A table model that answers after `gate` resolves (to hold requests in flight); `votes` adds predictVotes. */
function standIn(options: { gate?: () => Promise<void>; votes?: boolean } = {}): ServedModel {
  const model = {
    kind: "stand-in",
    input: "table" as const,
    classes: CLASSES,
    async predictProba(frame: Frame) {
      await options.gate?.();
      return probaOf(frame);
    },
    ...(options.votes
      ? {
          async predictVotes(frame: Frame): Promise<Votes> {
            const combined = probaOf(frame);
            // Member "shy" prefers cat, member "bold" the combined answer; their classes in another order.
            const shy = matrix(
              frame.nRows,
              3,
              Float32Array.from({ length: frame.nRows * 3 }, (_, i) => [0.6, 0.3, 0.1][i % 3]),
            );
            const boldClasses = ["fox", "dog", "cat"];
            const bold = matrix(
              frame.nRows,
              3,
              Float32Array.from(
                { length: frame.nRows * 3 },
                (_, i) => combined.data[3 * Math.floor(i / 3) + (2 - (i % 3))],
              ),
            );
            return {
              members: [
                { name: "shy", classes: CLASSES, proba: shy },
                { name: "bold", classes: boldClasses, proba: bold },
              ],
              combined,
            };
          },
        }
      : {}),
    dispose() {},
  } as unknown as AnyClassifier;
  const info: ModelInfo = {
    name: "stand-in",
    kind: "stand-in",
    input: "table",
    classes: CLASSES,
    voting: Boolean(options.votes),
    target: "y",
    fields: [
      {
        name: "x",
        kind: "numeric",
        parse: "number",
        min: -3,
        max: 3,
        median: 0,
        hint: "training range -3 to 3",
      },
    ],
  };
  return { model, info, schema: SCHEMA };
}

async function listen(
  t: import("node:test").TestContext,
  served: ServedModel,
  limits: Partial<ServerLimits> = {},
) {
  const app = await createServer(served, {
    tempDir: tempDir(t, "strata-serve-unit-"),
    loopbackOnly: true,
    limits,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  t.after(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
}

function predict(url: string, rows: unknown[]) {
  return fetch(new URL("api/predict", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ rows }),
  });
}

test("SerialQueue runs jobs one at a time, in order, past failures", async () => {
  const queue = new SerialQueue();
  const log: string[] = [];
  let running = 0;
  const job = (name: string, ms: number, fail = false) =>
    queue.run(async () => {
      running++;
      assert.equal(running, 1, "never two at once");
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      running--;
      if (fail) throw new Error(name);
      return name;
    });
  const results = await Promise.allSettled([job("a", 20), job("b", 5, true), job("c", 1)]);
  assert.deepEqual(
    results.map((r) => r.status),
    ["fulfilled", "rejected", "fulfilled"],
  );
  assert.deepEqual(log, ["start a", "end a", "start b", "end b", "start c", "end c"]);
  assert.equal(queue.size, 0);
});

test("requests beyond --max-in-flight get 503, and the slots come back", async (t) => {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const url = await listen(t, standIn({ gate: () => gate }), { maxInFlight: 2 });
  const held = [predict(url, [{ x: 1 }]), predict(url, [{ x: 2 }])];
  try {
    // Let both reach the server before the third.
    await new Promise((r) => setTimeout(r, 200));
    const third = await predict(url, [{ x: 3 }]);
    assert.equal(third.status, 503);
    assert.equal(third.headers.get("retry-after"), "1");
    assert.match(((await third.json()) as { error: string }).error, /busy: 2 requests in flight/);
    // Pages and model info are not counted.
    assert.equal((await fetch(new URL("api/model", url))).status, 200);
  } finally {
    open();
  }
  for (const r of await Promise.all(held)) assert.equal(r.status, 200);
  const after = await predict(url, [{ x: 4 }]);
  assert.equal(after.status, 200, "the slots were given back");
});

test("an ensemble's answer carries each member's vote, and the page draws them beside the combined one", async (t) => {
  const url = await listen(t, standIn({ votes: true }));
  const response = await predict(url, [{ x: 2 }, { x: -2 }]);
  assert.equal(response.status, 200);
  const answer = (await response.json()) as {
    predictions: { label: string; votes: { name: string; label: string; proba: Record<string, number> }[] }[];
  };
  assert.deepEqual(
    answer.predictions.map((p) => p.label),
    ["fox", "cat"],
  );
  const [first] = answer.predictions;
  assert.deepEqual(
    first.votes.map((v) => [v.name, v.label]),
    [
      ["shy", "cat"],
      ["bold", "fox"],
    ],
  );
  // Each member's probabilities are keyed by class name, whatever its own column order.
  assert.ok(Math.abs(first.votes[0].proba.cat - 0.6) < 1e-6);
  assert.ok(first.votes[1].proba.fox > first.votes[1].proba.cat);

  const browser = await launchChromium(t);
  if (!browser) return;
  const page = await browser.newPage();
  const log = watchPage(page);
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
  assert.match((await page.textContent("#subtitle")) ?? "", /ensemble/);
  await page.fill("#field-x", "2");
  await page.click("#row-form button[type=submit]");
  await page.waitForSelector("#row-result .votes");
  assert.deepEqual(await page.locator("#row-result .votes .bars-title").allTextContents(), [
    "combined",
    "shy: cat",
    "bold: fox",
  ]);
  assert.equal(await page.locator("#row-result .votes .bar").count(), 9, "three charts of three classes");
  assert.deepEqual(log.errors, []);
});

test("loopback names and addresses", () => {
  for (const host of [
    "localhost",
    "localhost:8080",
    "127.0.0.1:80",
    "127.1.2.3",
    "[::1]:8080",
    "app.localhost",
  ])
    assert.equal(isLoopbackHost(host), true, host);
  for (const host of [
    undefined,
    "",
    "example.com",
    "10.0.0.1:80",
    "127.0.0.1.evil.com",
    "[::2]:80",
    "0.0.0.0",
  ])
    assert.equal(isLoopbackHost(host), false, String(host));
  assert.equal(isLoopbackAddress("127.0.0.1"), true);
  assert.equal(isLoopbackAddress("::1"), true);
  assert.equal(isLoopbackAddress("0.0.0.0"), false);
  assert.equal(isLoopbackAddress("::"), false);
});
