import { CommanderError } from "commander";
import type { ModelTarget } from "../cli/model-targets.js";
import { targetOf } from "../cli/model-targets.js";
import { targetPhrase } from "../cli/target-words.js";
import { StrataError } from "../errors.js";
import { distributedAvailable, joinWorld } from "./distributed.js";
import { distributedTimeoutMs, readDistributedEnv } from "./distributed-env.js";
import { launchRanks } from "./distributed-launch.js";

/** What fit and cv read of their options here. */
export interface DistributedOptions {
  /** --nproc: local ranks to start. */
  nproc?: number;
  out?: string;
}

/**
 * fit and cv, before they read anything: with `--nproc N` (N > 1), starts N ranks of the same
 * command and waits for them (returns true: the command is done here; a failing rank's exit
 * code becomes this process's); started as a rank (torchrun's variables set), joins the world
 * before any training and, on ranks other than 0, drops --out so that only rank 0 writes
 * (returns false: the command goes on). A plain run returns false at once.
 */
export async function distributedCommand(o: DistributedOptions, target: ModelTarget): Promise<boolean> {
  const env = readDistributedEnv();
  const nproc = o.nproc ?? 1;
  if (!env && nproc === 1) return false;
  if (env && o.nproc !== undefined)
    throw new StrataError(
      `--nproc starts local ranks itself, but this process is already rank ${env.rank} of ${env.worldSize} (RANK and WORLD_SIZE are set): leave out --nproc`,
    );
  if (!targetOf(target).kind.network)
    throw new StrataError(
      `${o.nproc !== undefined ? "--nproc" : `WORLD_SIZE=${env?.worldSize}`}: data-parallel training is for single networks, not ${targetPhrase(target)}; XGBoost trains with its own threads; ensembles distribute their jobs (--jobs)`,
    );
  const timeoutMs = distributedTimeoutMs();
  if (!env) {
    const support = await distributedAvailable();
    if (!support.available) throw new StrataError(`--nproc: ${support.why}`);
    const code = await launchRanks(nproc, timeoutMs + 10_000);
    // The ranks have said what failed; this process only passes on the code.
    if (code !== 0) throw new CommanderError(code, "strata.rank", "");
    return true;
  }
  await joinWorld(env, timeoutMs);
  if (env.rank !== 0) o.out = undefined;
  return false;
}
