// One rank of distributed.test.ts, started as its own process: joins the world that torchrun's
// variables describe (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT; TIMEOUT_MS), runs the scenario
// named by its argument, and prints one JSON line per event ("joined", "result", "error").
//   collectives: allreduceSum, broadcastVariables from the last rank, barrier
//   dense, batchnorm, cnn: trains that dist-model network on this rank's shard of each batch
//   step: rank 1 joins and then neither steps nor leaves (the test kills it); the others train
import * as tf from "@tensorflow/tfjs-core";
import type { TorchBackend } from "strata-ml-torch";
import {
  allreduceSum,
  barrier,
  broadcastVariables,
  distributedRank,
  initDistributed,
  shutdownDistributed,
} from "strata-ml-torch/distributed";
import { type Kind, network, shard, train } from "./dist-model.js";

const say = (event: string, data: object = {}) =>
  process.stdout.write(`${JSON.stringify({ event, ...data })}\n`);

await import("strata-ml-torch");
await tf.setBackend("torch");
(tf.engine().backend as TorchBackend).addon.setThreads(1);
const rank = Number(process.env.RANK);
const world = Number(process.env.WORLD_SIZE);
const scenario = process.argv[2];

function collectives(): object {
  const sums = Float64Array.from([rank + 1, rank * 0.25, 1e10 + rank]);
  allreduceSum(sums);
  const floats = tf.variable(tf.tensor1d([rank, rank * 2, rank * 3 + 0.5]));
  const ints = tf.variable(tf.tensor2d([rank, 1, 2, rank], [2, 2], "int32"));
  // Shares floats' data: the broadcast must give the variable new values and leave this one alone.
  const snapshot = floats.clone();
  broadcastVariables([floats, ints], world - 1);
  barrier();
  return {
    sums: Array.from(sums),
    floats: Array.from(floats.dataSync()),
    ints: Array.from(ints.dataSync()),
    snapshot: Array.from(snapshot.dataSync()),
  };
}

function training(kind: Kind): object {
  // Each rank draws other initial weights: rank 0's reach every rank through the broadcast.
  const model = network(rank + 1, kind);
  const variables = model.weights.map((w) => w.read() as tf.Variable);
  return train(model, shard(rank, world), () => broadcastVariables(variables, 0));
}

let started = Date.now();
try {
  initDistributed({
    rank,
    worldSize: world,
    masterAddr: process.env.MASTER_ADDR ?? "",
    masterPort: Number(process.env.MASTER_PORT),
    timeoutMs: Number(process.env.TIMEOUT_MS),
  });
  say("joined", { world: distributedRank() });
  if (scenario === "step" && rank === 1) {
    process.stdin.resume(); // stays, silent, until the test kills it
  } else {
    started = Date.now();
    const result =
      scenario === "collectives"
        ? collectives()
        : scenario === "step"
          ? train(network(1, "dense"))
          : training(scenario as Kind);
    barrier();
    shutdownDistributed();
    say("result", result);
  }
} catch (e) {
  say("error", { message: e instanceof Error ? e.message : String(e), ms: Date.now() - started });
  shutdownDistributed();
  process.exitCode = 3;
}
