import type * as tf from "@tensorflow/tfjs-core";
import { StrataError } from "../errors.js";
import type { BatchSource } from "../train/sources.js";
import { currentWorld, distributedCall, worldApi } from "./distributed.js";
import { hashText } from "./distributed-hash.js";

/** A source's hash (its own, or what it says of its size when it has none). */
function sourceHash(source: BatchSource | undefined): number {
  if (!source) return hashText("none");
  return source.fingerprint?.() ?? hashText(`${source.samples}/${source.batchesPerEpoch}`);
}

/**
 * Before a data-parallel fit's first step: checks that every rank trains on the same data with
 * the same settings (a hash of each, summed into its rank's slot across ranks: one StrataError
 * naming the first rank that differs from rank 0), then gives every rank rank 0's weights. A
 * no-op in a plain run.
 */
export function startWorldFit(
  train: BatchSource,
  validation: BatchSource | undefined,
  settings: object,
  variables: readonly tf.Variable[],
): void {
  const world = currentWorld();
  if (!world) return;
  const api = worldApi();
  const mine = [sourceHash(train), sourceHash(validation), hashText(JSON.stringify(settings))];
  const all = new Float64Array(world.worldSize * mine.length);
  all.set(mine, world.rank * mine.length);
  distributedCall(() => api.allreduceSum(all));
  const what = ["training data", "validation data", "training settings"];
  for (let k = 1; k < world.worldSize; k++)
    for (let i = 0; i < mine.length; i++)
      if (all[k * mine.length + i] !== all[i])
        throw new StrataError(
          `rank ${k}'s ${what[i]} differ from rank 0's (hash ${hex(all[k * mine.length + i])} vs ${hex(all[i])}): every rank must read the same data with the same options`,
        );
  distributedCall(() => api.broadcastVariables(variables, 0));
}

/** After a data-parallel fit's last step: waits until every rank is there. A no-op in a plain run. */
export function endWorldFit(): void {
  if (!currentWorld()) return;
  distributedCall(() => worldApi().barrier());
}

function hex(h: number): string {
  return h.toString(16).padStart(8, "0");
}
