// Data-parallel transfer learning and checkpoint resume on 2 ranks (separate processes on
// 127.0.0.1), against one process; skipped where the torch addon has no Gloo (a failure on CI).
import assert from "node:assert/strict";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { assertNoStackTrace, assertNotWritten, CLI, lastJson, tempDir } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";
import { needsGloo, sha256, start, startRanks, succeeded } from "./helpers/distributed-ranks.js";
import { waitForOutput } from "./helpers/processes.js";

const TRANSFER_RANK = fileURLToPath(new URL("./helpers/distributed-transfer-rank.ts", import.meta.url));
const ROWS_RANK = fileURLToPath(new URL("./helpers/distributed-rows-rank.ts", import.meta.url));
const PIMA = sharedData("pima_diabetes/pima-indians-diabetes.csv");

/** 24 training and 8 test CIFAR images of each of 3 classes, as `dir/train/<class>` and `dir/test/<class>`. */
function smallCifar(dir: string): string {
  for (const [part, n] of [
    ["train", 24],
    ["test", 8],
  ] as const)
    for (const c of ["cat", "frog", "ship"]) {
      const from = sharedData(`cifar10_jpg_subset/${part}/${c}`);
      mkdirSync(join(dir, part, c), { recursive: true });
      for (const f of readdirSync(from).sort().slice(0, n))
        copyFileSync(join(from, f), join(dir, part, c, f));
    }
  return dir;
}

/** The test images' probabilities a transfer rank script printed. */
function probabilities(stdout: string): number[] {
  return (lastJson(stdout) as { proba: number[] }).proba;
}

test("rows split between 2 ranks: each computes its share, both end with every row; unreadable rows named", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-rows-");
  const ranks = await startRanks([], dir, 2, {}, ROWS_RANK);
  await Promise.all(ranks.map((r, k) => succeeded(r, `rank ${k}`)));
  const [a, b] = ranks.map(
    (r) =>
      lastJson(r.stdout()) as {
        computed: number[];
        values: number[];
        kept: number[];
        skipped: { file: string; reason: string }[];
        cached: number;
      },
  );
  assert.deepEqual(a.computed, [0, 2, 4, 6]);
  assert.deepEqual(b.computed, [1, 3, 5]);
  const rows = [0, 1, 2, 3, 5, 6];
  for (const r of [a, b]) {
    assert.deepEqual(r.kept, rows);
    assert.deepEqual(
      r.values,
      rows.flatMap((i) => [i, i + 0.5, -i - 1]),
    );
    assert.equal(r.cached, 2, "the ranks' cache hits are summed");
  }
  assert.deepEqual(a.skipped, [{ file: "row4.png", reason: "truncated" }], "the owner's own reason");
  assert.deepEqual(b.skipped, [{ file: "row4.png", reason: "could not be read (on another rank)" }]);
});

for (const fineOn of ["trunk", "images"] as const)
  test(`transfer on 2 ranks, fine-tuning on ${fineOn === "trunk" ? "the trunk's cached activations" : "whole augmented images"}: ranks bit-identical, one process within rounding`, async (t) => {
    if (!needsGloo(t)) return;
    const dir = tempDir(t, "strata-dist-transfer-");
    const images = smallCifar(join(dir, "images"));
    // An unreadable image, which the rank that owns it leaves out and the others learn of.
    writeFileSync(join(images, "train", "frog", "broken.jpg"), "not a JPEG");
    // Both ranks start with an empty feature cache, which they share (as ranks on one host do).
    const env = { STRATA_HOME: join(dir, "home") };
    const ranks = await startRanks([images, dir, fineOn], dir, 2, env, TRANSFER_RANK);
    await Promise.all(ranks.map((r, k) => succeeded(r, `rank ${k}`)));
    const one = start(TRANSFER_RANK, [images, dir, fineOn], dir, env);
    await succeeded(one, "the one-process fit");
    assert.equal(
      sha256(join(dir, "rank0", "weights.bin")),
      sha256(join(dir, "rank1", "weights.bin")),
      "both ranks end with the same weights",
    );
    const phases = (lastJson(ranks[0].stdout()) as { phases: { name: string }[] }).phases.map((p) => p.name);
    assert.ok(phases.includes("head") && phases.includes("fine-tune"), phases.join(", "));
    if (fineOn === "trunk") assert.ok(phases.includes("trunk"), phases.join(", "));
    // Without dropout, and with augmentation drawn from the image's place in the global order,
    // the only difference from one process is the order of float sums.
    const [a, b] = [probabilities(ranks[0].stdout()), probabilities(one.stdout())];
    assert.equal(a.length, b.length);
    const most = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    assert.ok(most < 1e-4, `test probabilities differ by up to ${most} from one process's`);
  });

test("transfer with --nproc-style ranks through the CLI: only rank 0 writes --out (ranks in separate folders)", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-transfer-");
  const images = smallCifar(join(dir, "images"));
  const cwds = ["a", "b"].map((d) => join(dir, d));
  for (const d of cwds) mkdirSync(d);
  const args = ["fit", images, "--model", "transfer", "--size", "32", "--epochs", "2"];
  const ranks = await startRanks(
    [...args, "--fine-tune", "1", "--epochs-fine", "1", "--json", "--out", "m"],
    cwds,
    2,
    { STRATA_HOME: join(dir, "home") },
  );
  await Promise.all(ranks.map((r, k) => succeeded(r, `rank ${k}`)));
  assert.ok(existsSync(join(cwds[0], "m", "transfer.json")), "rank 0 wrote the model directory");
  assert.deepEqual(readdirSync(cwds[1]), [], "rank 1 wrote nothing");
  assert.equal(lastJson(ranks[0].stdout()).epochs, 3, "2 head epochs, then 1 of fine-tuning");
});

// With dropout (the dense default): each rank draws its masks from (seed, epoch, step, rank),
// so a resumed 2-rank fit draws what the uninterrupted one drew.
const DENSE = ["fit", PIMA, "--target", "outcome", "--model", "dense", "--epochs", "40", "--patience", "0"];

test("--checkpoint and --resume on 2 ranks give the uninterrupted 2-rank fit's weights; 1 process may resume it too", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-resume-");
  const whole = start(CLI, [...DENSE, "--checkpoint", "ck-whole", "--out", "whole", "--nproc", "2"], dir);
  await succeeded(whole, "the uninterrupted fit");
  // Interrupted: both ranks killed once rank 0 is in epoch 3 (epochs 1 and 2 are checkpointed).
  const ranks = await startRanks([...DENSE, "--checkpoint", "ck", "--out", "never"], dir, 2);
  await waitForOutput(
    ranks[0].child.stderr as NodeJS.ReadableStream,
    ranks[0].stderr,
    /Epoch 3\//,
    "rank 0's third epoch",
  );
  for (const r of ranks) r.child.kill("SIGKILL");
  await Promise.all(ranks.map((r) => r.done));
  const saved = JSON.parse(readFileSync(join(dir, "ck", "last", "checkpoint.json"), "utf8")) as {
    epoch: number;
  };
  assert.ok(saved.epoch >= 2 && saved.epoch < 40, `the checkpoint is mid-fit (after epoch ${saved.epoch})`);
  assertNotWritten(dir, "never");
  cpSync(join(dir, "ck"), join(dir, "ck-copy"), { recursive: true });

  const resumed = start(
    CLI,
    [...DENSE, "--checkpoint", "ck", "--resume", "--out", "resumed", "--nproc", "2"],
    dir,
  );
  await succeeded(resumed, "the resumed fit");
  assert.match(resumed.stderr(), new RegExp(`resuming from the checkpoint after epoch ${saved.epoch}/40`));
  assert.equal(
    sha256(join(dir, "resumed", "weights.bin")),
    sha256(join(dir, "whole", "weights.bin")),
    "the resumed 2-rank fit ends with the uninterrupted one's weights",
  );

  // Another world size resumes too (the state does not depend on it; the masks and rounding do).
  const alone = start(CLI, [...DENSE, "--checkpoint", "ck-copy", "--resume", "--out", "alone"], dir);
  await succeeded(alone, "the one-process resume");
  assertNoStackTrace(alone.stderr());
  assert.match(alone.stderr(), new RegExp(`resuming from the checkpoint after epoch ${saved.epoch}/40`));
  assert.match(alone.stderr(), /done after 40 epochs/);
  assert.ok(existsSync(join(dir, "alone", "weights.bin")));
});
