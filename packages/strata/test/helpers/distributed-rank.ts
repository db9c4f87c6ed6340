/*
 * One rank of a data-parallel fit through the API (run with torchrun's variables set, by
 * test/distributed-fit.test.ts): a dense classifier on the CSV file argv[2] (target argv[3]),
 * its model files written to argv[4]/rank<k>, so the test can compare every rank's weights.
 */
import { join } from "node:path";
import { useBackend } from "../../src/backend.js";
import { DenseClassifier } from "../../src/estimators/dense.js";
import { joinWorld } from "../../src/parallel/distributed.js";
import { distributedTimeoutMs, readDistributedEnv } from "../../src/parallel/distributed-env.js";
import { loadCsvDataset } from "../../src/workflow/dataset.js";

const [file, target, out] = process.argv.slice(2);
await useBackend("torch");
const env = readDistributedEnv();
if (!env) throw new Error("distributed-rank: RANK, WORLD_SIZE, … are not set");
await joinWorld(env, distributedTimeoutMs());
const data = loadCsvDataset(file, { target });
const model = await new DenseClassifier({ epochs: 3, seed: 0, hiddenUnits: [16, 8] }).fit(data.frame, data.y);
await model.writeFiles(join(out, `rank${env.rank}`));
model.dispose();
