/*
 * A transfer fit through the API, as one rank of a data-parallel world (torchrun's variables set)
 * or as one process (none set), for test/distributed-transfer.test.ts: darknet-tiny's head on an
 * image folder's train/ (argv[2]), then fine-tuning on the trunk's cached activations (argv[4]
 * "trunk") or on whole images ("images"); the model files go to argv[3]/rank<k> (or
 * argv[3]/single), and stdout gets one JSON line of the test/ images' probabilities.
 */
import { join } from "node:path";
import { useBackend } from "../../src/backend.js";
import { TransferClassifier } from "../../src/estimators/transfer.js";
import { scanImageFolder } from "../../src/images/folder.js";
import { joinWorld } from "../../src/parallel/distributed.js";
import { distributedTimeoutMs, readDistributedEnv } from "../../src/parallel/distributed-env.js";

const [folder, out, fineOn] = process.argv.slice(2);
await useBackend("torch");
const env = readDistributedEnv();
if (env) await joinWorld(env, distributedTimeoutMs());
const data = scanImageFolder(folder);
const model = await new TransferClassifier({
  size: [32, 32],
  epochs: 3,
  fineTune: 1,
  epochsFine: 2,
  batchSize: 16,
  // Without dropout a 1-process and a 2-rank fit differ by float rounding only.
  headDropout: 0,
  trunkCache: fineOn !== "images",
  validationFraction: 0.2,
  seed: 0,
}).fit(
  data.train.map((i) => i.file),
  data.train.map((i) => i.label),
);
await model.writeFiles(join(out, env ? `rank${env.rank}` : "single"));
const proba = await model.predictProba((data.test ?? []).map((i) => i.file));
process.stdout.write(`${JSON.stringify({ proba: Array.from(proba.data), phases: model.phases })}\n`);
model.dispose();
