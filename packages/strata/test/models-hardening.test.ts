// Issue 18 (models, ensembles, metrics): saved files that would give wrong answers are refused at
// load naming the file; messages name what they are about.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Frame } from "../src/data/frame.js";
import { StrataError } from "../src/errors.js";
import { loadClassifier } from "../src/estimators/load.js";
import { VotingClassifier } from "../src/estimators/voting.js";
import { Rng } from "../src/util/random.js";
import { tempDir } from "./helpers/cli.js";

/** 80 rows of two numeric columns; the class is the sign of x1 + x2 (with some noise). */
function table(n = 80): { x: Frame; y: string[] } {
  const rng = new Rng(3);
  const x1: number[] = [];
  const x2: number[] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    x1.push(a);
    x2.push(b);
    y.push(a + b + 0.3 * (rng.next() - 0.5) > 0 ? "yes" : "no");
  }
  return { x: Frame.fromColumns({ x1, x2 }), y };
}

/** Rewrites a JSON file through `edit` (the text, so that values JSON cannot hold can be written). */
function editJson(file: string, edit: (text: string) => string): void {
  writeFileSync(file, edit(readFileSync(file, "utf8")));
}

/** Asserts a StrataError whose message contains each fragment. */
async function rejectsNaming(
  promise: Promise<unknown>,
  fragments: readonly (string | RegExp)[],
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof StrataError, `a StrataError, got ${String(e)}`);
    for (const f of fragments)
      if (typeof f === "string") assert.ok(e.message.includes(f), `"${e.message}" should name ${f}`);
      else assert.match(e.message, f);
    return true;
  });
}

test("ensemble.json weights that are negative, infinite, not numbers or not summing to 1 are refused at load, naming the file", async (t) => {
  const root = tempDir(t, "strata-weights-");
  const { x, y } = table();
  const vote = await new VotingClassifier({
    members: [
      { kind: "logistic", params: {} },
      { kind: "logistic", params: { C: 0.01 } },
    ],
  }).fit(x, y);
  const dir = join(root, "vote");
  await vote.save(dir);
  const expected = await vote.predictProba(x);
  vote.dispose();
  const file = join(dir, "ensemble.json");
  const original = readFileSync(file, "utf8");
  // The saved model loads and predicts as it did.
  const loaded = await loadClassifier(dir);
  assert.deepEqual((await (loaded as VotingClassifier).predictProba(x)).data, expected.data);
  loaded.dispose();
  for (const [bad, shown] of [
    ["[-0.5, 1.5]", "[-0.5, 1.5]"],
    ["[1e400, 0.5]", "[Infinity, 0.5]"],
    ['["half", 0.5]', '["half", 0.5]'],
    ["[null, 1]", "[null, 1]"],
    ["[0.5]", "[0.5]"],
    ["[2, 3]", "[2, 3]"],
    ["[0, 0]", "[0, 0]"],
  ] as const) {
    writeFileSync(file, original);
    editJson(file, (text) => text.replace(/"weights": \[[^\]]*\]/, `"weights": ${bad}`));
    assert.notEqual(readFileSync(file, "utf8"), original, "the weights were rewritten");
    await rejectsNaming(loadClassifier(dir), [file, "weights", shown]);
  }
});
