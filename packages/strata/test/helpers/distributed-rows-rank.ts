/*
 * One rank (torchrun's variables set) that computes rows split between the ranks
 * (parallel/distributed-rows.ts) for test/distributed-transfer.test.ts: 7 rows of 3 values
 * (row i: i, i + 0.5, -i - 1), row 4 unreadable; prints one JSON line of the rows it computed and
 * what it ends with.
 */
import { useBackend } from "../../src/backend.js";
import { joinWorld } from "../../src/parallel/distributed.js";
import { distributedTimeoutMs, readDistributedEnv } from "../../src/parallel/distributed-env.js";
import { computeOnRanks } from "../../src/parallel/distributed-rows.js";

await useBackend("torch");
const env = readDistributedEnv();
if (env) await joinWorld(env, distributedTimeoutMs());
let computed: number[] = [];
const result = await computeOnRanks(
  7,
  3,
  async (rows) => {
    computed = [...rows];
    const kept = rows.flatMap((row, k) => (row === 4 ? [] : [k]));
    return {
      values: Float32Array.from(kept.flatMap((k) => [rows[k], rows[k] + 0.5, -rows[k] - 1])),
      channels: 3,
      kept,
      skipped: rows.includes(4) ? [{ file: "row4.png", reason: "truncated" }] : [],
      cached: 1,
    };
  },
  (row) => `row${row}.png`,
  false,
);
process.stdout.write(`${JSON.stringify({ computed, ...result, values: Array.from(result.values) })}\n`);
