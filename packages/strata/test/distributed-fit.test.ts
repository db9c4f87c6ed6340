import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend.js";
import { StrataError } from "../src/errors.js";
import { imageSource } from "../src/images/batch-source.js";
import { mirroredSource } from "../src/models/transfer/trunk.js";
import { distributedTimeoutMs, isWriterEnv, readDistributedEnv } from "../src/parallel/distributed-env.js";
import { hashBytes, hashText, hashView } from "../src/parallel/distributed-hash.js";
import { argvWithoutNproc, freePort, rankEnv, threadsPerRank } from "../src/parallel/distributed-launch.js";
import { shardSteps, shareOf } from "../src/parallel/distributed-shard.js";
import type { BatchSource } from "../src/train/sources.js";
import {
  assertNoStackTrace,
  assertNotWritten,
  assertUserError,
  CLI,
  lastJson,
  linesOf,
  runCli,
  tempDir,
} from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";
import { needsGloo, sha256, start, startRanks, succeeded, torchrun } from "./helpers/distributed-ranks.js";
import { writePatchImages } from "./helpers/patch-images.js";
import { waitForOutput } from "./helpers/processes.js";

const WORLD = { RANK: "1", WORLD_SIZE: "2", LOCAL_RANK: "1", MASTER_ADDR: "127.0.0.1", MASTER_PORT: "29500" };

test("torchrun's environment: none is a plain run, all five a rank, each checked in one line", () => {
  assert.equal(readDistributedEnv({}), undefined);
  assert.deepEqual(readDistributedEnv(WORLD), {
    rank: 1,
    worldSize: 2,
    localRank: 1,
    masterAddr: "127.0.0.1",
    masterPort: 29500,
  });
  const refused = (env: NodeJS.ProcessEnv, ...mentions: RegExp[]) =>
    assert.throws(
      () => readDistributedEnv(env),
      (e: unknown) =>
        e instanceof StrataError && !e.message.includes("\n") && mentions.every((m) => m.test(e.message)),
    );
  refused({ RANK: "0", WORLD_SIZE: "2" }, /^LOCAL_RANK is not set/, /RANK, WORLD_SIZE are/);
  refused({ ...WORLD, MASTER_PORT: "" }, /^MASTER_PORT is not set/);
  refused({ ...WORLD, RANK: "2" }, /^RANK="2": expected a whole number from 0 to WORLD_SIZE - 1 = 1/);
  refused({ ...WORLD, WORLD_SIZE: "0" }, /^WORLD_SIZE="0": expected a whole number of processes >= 1/);
  refused({ ...WORLD, WORLD_SIZE: "two" }, /^WORLD_SIZE="two"/);
  refused({ ...WORLD, MASTER_PORT: "70000" }, /^MASTER_PORT="70000": expected a TCP port/);
  refused({ ...WORLD, MASTER_ADDR: "a b" }, /^MASTER_ADDR="a b": expected a host name/);
  refused(
    { ...WORLD, TORCHELASTIC_USE_AGENT_STORE: "True" },
    /^TORCHELASTIC_USE_AGENT_STORE=True: torchrun's static rendezvous .*MASTER_PORT 29500/,
    /--rdzv_backend c10d/,
  );
  assert.equal(readDistributedEnv({ ...WORLD, TORCHELASTIC_USE_AGENT_STORE: "False" })?.rank, 1);
  assert.equal(isWriterEnv({}), true);
  assert.equal(isWriterEnv({ ...WORLD, RANK: "0" }), true);
  assert.equal(isWriterEnv(WORLD), false);
});

test("STRATA_DIST_TIMEOUT: seconds, default 60, refused in one line when not a positive number", () => {
  assert.equal(distributedTimeoutMs({}), 60_000);
  assert.equal(distributedTimeoutMs({ STRATA_DIST_TIMEOUT: "2.5" }), 2500);
  assert.throws(
    () => distributedTimeoutMs({ STRATA_DIST_TIMEOUT: "-1" }),
    /^StrataError: STRATA_DIST_TIMEOUT="-1"/,
  );
  assert.throws(() => distributedTimeoutMs({ STRATA_DIST_TIMEOUT: "soon" }), /expected seconds/);
});

test("each rank's share of a global batch is contiguous, the shares tile it, and their scales sum to 1", () => {
  for (const world of [1, 2, 3, 5])
    for (const n of [1, 7, 32, 33]) {
      let next = 0;
      let scale = 0;
      for (let rank = 0; rank < world; rank++) {
        const s = shareOf(n, rank, world);
        assert.equal(s.start, next, `rank ${rank} of ${world}, ${n} rows: starts where the previous ended`);
        assert.ok(s.end - s.start <= Math.ceil(n / world) && s.end - s.start >= Math.floor(n / world));
        scale += s.gradientScale;
        next = s.end;
      }
      assert.equal(next, n);
      assert.ok(Math.abs(scale - 1) < 1e-12);
    }
});

test("sharded steps: the ranks' rows of each step, in rank order, are the one-process batch", () => {
  const order = Int32Array.from([9, 3, 7, 1, 0, 8, 2, 6, 4, 5]);
  const batchSize = 4;
  const world = 3;
  const perRank = Array.from({ length: world }, (_, r) => shardSteps(order, batchSize, r, world));
  assert.ok(
    perRank.every((steps) => steps.length === 3),
    "every rank takes the same number of steps",
  );
  for (let k = 0; k < 3; k++) {
    const batch = [...order.subarray(k * batchSize, (k + 1) * batchSize)];
    const real = perRank.map((steps) => steps[k]).filter((s) => s.gradientScale > 0);
    assert.deepEqual(
      real.flatMap((s) => [...s.rows]),
      batch,
    );
    assert.ok(perRank.every((steps) => steps[k].globalRows === batch.length));
    for (const s of real)
      assert.deepEqual([...order.subarray(s.first, s.first + s.rows.length)], [...s.rows]);
  }
  // The last batch has 2 rows for 3 ranks: rank 0 gets none, and stands in with one row at scale 0.
  assert.deepEqual(
    perRank.map((steps) => [steps[2].rows.length, steps[2].gradientScale]),
    [
      [1, 0],
      [1, 0.5],
      [1, 0.5],
    ],
  );
});

test("--nproc's ranks: the command without --nproc, torchrun's variables, the cores shared out", async () => {
  assert.deepEqual(argvWithoutNproc(["cli.js", "fit", "a.csv", "--nproc", "2", "--json"]), [
    "cli.js",
    "fit",
    "a.csv",
    "--json",
  ]);
  assert.deepEqual(argvWithoutNproc(["cli.js", "fit", "--nproc=3", "a.csv"]), ["cli.js", "fit", "a.csv"]);
  assert.equal(threadsPerRank(2, 2), 1);
  assert.equal(threadsPerRank(3, 16), 5);
  assert.equal(threadsPerRank(4, 2), 1);
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
  const env = rankEnv({ PATH: "/bin", NODE_TEST_CONTEXT: "child" }, 1, 2, port, 4);
  assert.deepEqual(readDistributedEnv(env), {
    rank: 1,
    worldSize: 2,
    localRank: 1,
    masterAddr: "127.0.0.1",
    masterPort: port,
  });
  assert.equal(env.TBT_NUM_THREADS, "4");
  assert.equal(env.OMP_NUM_THREADS, "4");
  assert.equal(env.NODE_TEST_CONTEXT, undefined);
  assert.equal(
    rankEnv({ TBT_NUM_THREADS: "1" }, 0, 2, port, 4).TBT_NUM_THREADS,
    "1",
    "a user's setting is kept",
  );
});

test("the data hash tells apart data that differs in one byte", () => {
  const a = Float32Array.from([1, 2, 3]);
  const b = Float32Array.from([1, 2, 3.0000002]);
  assert.notEqual(hashView(a), hashView(b));
  assert.equal(hashView(a), hashView(Float32Array.from(a)));
  assert.notEqual(hashText("a.png,cat"), hashText("a.png,dog"));
  // Hashed word by word, yet the same bytes hash alike wherever they sit in their buffer.
  const bytes = Uint8Array.from({ length: 13 }, (_, i) => i * 7);
  const shifted = new Uint8Array(20);
  shifted.set(bytes, 3);
  assert.equal(hashBytes(shifted.subarray(3, 16)), hashBytes(bytes));
  assert.notEqual(hashBytes(bytes.subarray(0, 12)), hashBytes(bytes));
});

/** Each rank's share of every step, in rank order, joined: what one process's batch holds (by row). */
async function joinedShards(
  source: BatchSource,
  epoch: number,
  world: number,
): Promise<{ x: Float32Array[]; y: Float32Array[] }[]> {
  const steps: { x: Float32Array[]; y: Float32Array[] }[] = [];
  for (let rank = 0; rank < world; rank++) {
    let k = 0;
    for await (const { batch, gradientScale } of source.shard?.(epoch, rank, world) ?? []) {
      steps[k] ??= { x: [], y: [] };
      if (gradientScale > 0) {
        steps[k].x.push(...rowsOf(batch.x));
        steps[k].y.push(...rowsOf(batch.y));
      }
      tf.dispose([batch.x, batch.y]);
      k++;
    }
  }
  return steps;
}

function rowsOf(t: tf.Tensor): Float32Array[] {
  const values = t.dataSync() as Float32Array;
  const per = t.size / t.shape[0];
  return Array.from({ length: t.shape[0] }, (_, r) => values.slice(r * per, (r + 1) * per));
}

/** A batch's rows as sortable keys (a share may hold its rows in another order than one process). */
function rowKeys(x: readonly Float32Array[], y: readonly Float32Array[]): string[] {
  return x.map((r, i) => `${Array.from(r).join(",")}|${Array.from(y[i]).join(",")}`).sort();
}

test("shards of augmented images and of mirrored trunk activations are one process's batches, pixel for pixel", async (t) => {
  await useBackend("cpu");
  const dir = tempDir(t, "strata-dist-");
  const { x: files, y: labels } = await writePatchImages(join(dir, "images"), 12, 7, 1);
  const items = files.map((file, i) => ({ file, label: labels[i] }));
  const images = imageSource(
    items,
    ["patch", "plain"],
    { size: [12, 12], channels: 3, scaling: { kind: "divide", by: 255 } },
    { batchSize: 4, seed: 5, augment: { flip: true, cropPadding: 2, brightness: 0.2 } },
  );
  const plain = tf.randomUniform([9, 2, 2, 3]);
  const mirrored = tf.randomUniform([9, 2, 2, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2], "int32"), 3);
  t.after(() => tf.dispose([plain, mirrored, y]));
  const trunk = mirroredSource(plain, mirrored, y, { batchSize: 4, seed: 2 });
  for (const [source, what] of [
    [images, "images"],
    [trunk, "trunk activations"],
  ] as const)
    for (const epoch of [0, 3]) {
      const one: string[][] = [];
      for await (const b of source.batches(epoch)) {
        one.push(rowKeys(rowsOf(b.x), rowsOf(b.y)));
        tf.dispose([b.x, b.y]);
      }
      for (const world of [2, 3]) {
        const shards = (await joinedShards(source, epoch, world)).map((s) => rowKeys(s.x, s.y));
        assert.deepEqual(shards, one, `${what}, epoch ${epoch}, ${world} ranks`);
      }
    }
});

// ---- Ranks as separate processes on 127.0.0.1 (the torch addon built with Gloo) ----

const PIMA = sharedData("pima_diabetes/pima-indians-diabetes.csv");
const RANK_SCRIPT = fileURLToPath(new URL("./helpers/distributed-rank.ts", import.meta.url));

// Without dropout the one-process and 2-rank fits differ only by float rounding (with it, each
// rank draws its own masks for its rows: another fit of the same quality, not the same fit).
const FIT = "fit PIMA --target outcome --model dense --epochs 4 --seed 3 --dropout 0 --json"
  .split(" ")
  .map((a) => (a === "PIMA" ? PIMA : a));

test("Pima: --nproc 2 and two ranks started by hand give the same model, as accurate as one process", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-");
  const one = start(CLI, [...FIT, "--out", "m1"], dir);
  await succeeded(one, "the one-process fit");
  const two = start(CLI, [...FIT, "--out", "m2", "--nproc", "2"], dir);
  await succeeded(two, "strata fit --nproc 2");
  const lines = linesOf(two.stdout());
  assert.equal(lines.length, 1, `only rank 0 prints: one --json line, got:\n${two.stdout()}`);
  const byHand = await startRanks([...FIT, "--out", "mh"], dir, 2);
  await Promise.all(byHand.map((r, k) => succeeded(r, `rank ${k} started by hand`)));
  assert.equal(
    sha256(join(dir, "m2", "weights.bin")),
    sha256(join(dir, "mh", "weights.bin")),
    "--nproc 2 and torchrun-style ranks train the same weights",
  );
  const a1 = lastJson(one.stdout()).accuracy as number;
  const a2 = lastJson(two.stdout()).accuracy as number;
  assert.ok(Math.abs(a1 - a2) <= 0.01, `accuracy ${a2} with 2 ranks against ${a1} with one process`);
  assert.notEqual(sha256(join(dir, "m1", "weights.bin")), "", "the one-process model was written");
});

test("every rank ends a data-parallel fit with bit-identical weights (3 ranks, through the API)", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-");
  const port = await freePort();
  const ranks = [0, 1, 2].map((k) => start(RANK_SCRIPT, [PIMA, "outcome", dir], dir, torchrun(k, 3, port)));
  await Promise.all(ranks.map((r, k) => succeeded(r, `rank ${k}`)));
  const hashes = [0, 1, 2].map((k) => sha256(join(dir, `rank${k}`, "weights.bin")));
  assert.equal(new Set(hashes).size, 1, `weights differ between ranks: ${hashes.join(", ")}`);
});

test("a small CNN on a generated image folder trains with --nproc 2", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-");
  await writePatchImages(join(dir, "images"), 16, 12, 0);
  const run = start(
    CLI,
    [
      "fit",
      "images",
      "--model",
      "cnn",
      "--epochs",
      "2",
      "--batch-size",
      "8",
      "--json",
      "--out",
      "cnn",
      "--nproc",
      "2",
    ],
    dir,
  );
  await succeeded(run, "the CNN fit");
  const json = lastJson(run.stdout());
  assert.equal(typeof json.accuracy, "number");
  assert.ok(existsSync(join(dir, "cnn", "weights.bin")));
});

test("killing rank 1 mid-fit ends rank 0 within the timeout with one line, and no --out", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-");
  const args = ["fit", PIMA, "--target", "outcome", "--model", "dense", "--epochs", "500", "--patience", "0"];
  const [rank0, rank1] = await startRanks([...args, "--out", "killed"], dir, 2, {
    STRATA_DIST_TIMEOUT: "10",
  });
  await waitForOutput(
    rank0.child.stderr as NodeJS.ReadableStream,
    rank0.stderr,
    /Epoch 2\//,
    "rank 0's second epoch",
  );
  const killed = Date.now();
  rank1.child.kill("SIGKILL");
  const { code } = await rank0.done;
  const seconds = (Date.now() - killed) / 1000;
  assert.ok(seconds < 20, `rank 0 took ${seconds.toFixed(1)} s to stop (timeout 10 s)`);
  assert.equal(code, 1, `rank 0 exits 1; stderr:\n${rank0.stderr()}`);
  assertNoStackTrace(rank0.stderr());
  const errors = linesOf(rank0.stderr()).filter((l) => l.startsWith("strata:"));
  assert.equal(errors.length, 1, `one error line:\n${rank0.stderr()}`);
  assert.match(errors[0], /^strata: error: data-parallel.*rank 1.*127\.0\.0\.1/);
  assertNotWritten(dir, "killed");
});

test("ranks that read different data are refused, each in one line naming the rank", async (t) => {
  if (!needsGloo(t)) return;
  const dir = tempDir(t, "strata-dist-");
  const rows = readFileSync(PIMA, "utf8").split("\n");
  rows[5] = rows[5].replace(/^\d+/, (v) => String(Number(v) + 1));
  writeFileSync(join(dir, "other.csv"), rows.join("\n"));
  const port = await freePort();
  const base = ["--target", "outcome", "--model", "dense", "--epochs", "2"];
  const ranks = [PIMA, join(dir, "other.csv")].map((file, k) =>
    start(CLI, ["fit", file, ...base], dir, torchrun(k, 2, port)),
  );
  for (const r of ranks) {
    const { code } = await r.done;
    assert.equal(code, 1, r.stderr());
    const errors = linesOf(r.stderr()).filter((l) => l.startsWith("strata:"));
    assert.equal(errors.length, 1, r.stderr());
    assert.match(errors[0], /^strata: error: rank 1's training data differ from rank 0's/);
  }
});

test("--nproc is refused for models that are not one network, and without Gloo, in one line", (t) => {
  const dir = tempDir(t, "strata-dist-");
  for (const model of ["xgboost", "logistic", "vote"]) {
    const r = runCli(["fit", PIMA, "--target", "outcome", "--model", model, "--nproc", "2"], dir);
    assertUserError(r, ["XGBoost trains with its own threads; ensembles distribute their jobs (--jobs)"]);
  }
  const r = spawnSync(process.execPath, [CLI, "fit", PIMA, "--target", "outcome", "--nproc", "2"], {
    cwd: dir,
    env: { ...process.env, STRATA_BACKEND: "torch", TBT_DISABLE_GLOO: "1" },
    encoding: "utf8",
  });
  assertUserError({ status: r.status, stdout: r.stdout, stderr: r.stderr }, [
    /^strata: error: --nproc: .*libgloo-dev/,
  ]);
});
