// Issue 25's bar: a 2-rank fit reaches the accuracy of a 1-process fit with the same effective
// batch (--batch-size), within 0.01, on real data: the Spotify genres with the dense network
// (dropout on: the ranks draw their own masks) and a CIFAR subset with the default CNN (batch
// norm on: each rank normalises its share of the batch, as DDP does without SyncBatchNorm).
// Skipped where the torch addon has no Gloo (a failure on CI).
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { CLI, lastJson, tempDir } from "./helpers/cli.js";
import { sharedData, spotifyDemoArgs } from "./helpers/data.js";
import { needsGloo, start, succeeded } from "./helpers/distributed-ranks.js";

/** Runs `args` (a --json fit) in one process and with --nproc 2 (1 thread each); their accuracies. */
async function oneAndTwo(args: readonly string[], dir: string): Promise<[number, number]> {
  const one = start(CLI, [...args, "--json"], dir);
  await succeeded(one, "the one-process fit");
  const two = start(CLI, [...args, "--json", "--nproc", "2"], dir);
  await succeeded(two, "the 2-rank fit");
  const [a, b] = [lastJson(one.stdout()), lastJson(two.stdout())];
  assert.equal(a.nTest, b.nTest, "both are scored on the same test rows");
  return [a.accuracy as number, b.accuracy as number];
}

test("Spotify genres, dense network: 2 ranks within 0.01 accuracy of one process", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-acc-");
  const [a1, a2] = await oneAndTwo(
    ["fit", ...spotifyDemoArgs(), "--epochs", "4", "--patience", "0", "--seed", "0"],
    dir,
  );
  assert.ok(a1 > 0.45, `one process learns the genres (accuracy ${a1}; 6 classes)`);
  assert.ok(Math.abs(a1 - a2) <= 0.01, `accuracy ${a2} on 2 ranks against ${a1} in one process`);
});

test("CIFAR subset, default CNN: 2 ranks within 0.01 accuracy of one process", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-acc-");
  // A subset to keep the file within minutes on 2 cores: 3 classes, 300 training and 200 test
  // images each (the first ones by name), 5 epochs.
  for (const [part, n] of [
    ["train", 300],
    ["test", 200],
  ] as const)
    for (const c of ["airplane", "automobile", "frog"]) {
      const from = sharedData(`cifar10_jpg_subset/${part}/${c}`);
      mkdirSync(join(dir, "cifar", part, c), { recursive: true });
      for (const f of readdirSync(from).sort().slice(0, n))
        copyFileSync(join(from, f), join(dir, "cifar", part, c, f));
    }
  const [a1, a2] = await oneAndTwo(
    ["fit", "cifar", "--model", "cnn", "--epochs", "5", "--batch-size", "32", "--seed", "0"],
    dir,
  );
  assert.ok(a1 > 0.7, `one process learns the classes (accuracy ${a1}; 3 classes)`);
  assert.ok(Math.abs(a1 - a2) <= 0.01, `accuracy ${a2} on 2 ranks against ${a1} in one process`);
});
