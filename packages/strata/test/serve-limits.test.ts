// The server's parts with stand-in models, in process: the serial queue, the cap on requests
// in flight, ensembles' votes (a model with predictVotes) in the answer and on the page, and
// which Host headers count as loopback.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SerialQueue } from "../src/serve/queue.js";
import { isLoopbackAddress, isLoopbackHost } from "../src/serve/server.js";
import { launchChromium, watchPage } from "./helpers/browser.js";
import { listen, standIn } from "./helpers/serve-stand-in.js";

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
  let bothIn: () => void = () => {};
  const both = new Promise<void>((resolve) => {
    bothIn = resolve;
  });
  const url = await listen(t, standIn({ gate: () => gate }), { maxInFlight: 2 }, (n) => {
    if (n === 2) bothIn();
  });
  const held = [predict(url, [{ x: 1 }]), predict(url, [{ x: 2 }])];
  try {
    // Both are counted by the server before the third is sent.
    await both;
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
