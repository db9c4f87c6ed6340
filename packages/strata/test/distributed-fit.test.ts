import assert from "node:assert/strict";
import { test } from "node:test";
import { StrataError } from "../src/errors.js";
import { distributedTimeoutMs, isWriterEnv, readDistributedEnv } from "../src/parallel/distributed-env.js";
import { hashText, hashView } from "../src/parallel/distributed-hash.js";
import { argvWithoutNproc, freePort, rankEnv, threadsPerRank } from "../src/parallel/distributed-launch.js";
import { shardSteps, shareOf } from "../src/parallel/distributed-shard.js";

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
});
