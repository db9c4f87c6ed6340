import { StrataError } from "../errors.js";
import { parseQueueUrl } from "../parallel/queue-url.js";
import { isEnsembleTarget, modelName } from "./model-choice.js";
import type { ModelTarget } from "./model-targets.js";

/** --queue's help, the same on fit, cv and compare. */
export const QUEUE_HELP =
  "send the independent fits (an ensemble's members on each fold, cv's folds, compare's models) to `strata worker` processes through Redis (BullMQ): redis://HOST:PORT[/DB], rediss:// for TLS";

/**
 * Refuses --queue where there are no independent fits to send (one line saying where it
 * applies), and a URL that is not a Redis one, before any data is read.
 */
export function checkQueueUse(
  o: { queue?: string },
  command: "fit" | "cv" | "compare",
  target: ModelTarget,
): void {
  if (o.queue === undefined) return;
  parseQueueUrl(o.queue);
  if (command === "fit" && !isEnsembleTarget(target) && target !== "table:auto")
    throw new StrataError(
      `--queue: fitting ${modelName(target)} is one job, nothing to spread over workers; it applies to fit --model vote, stack or auto, and to cv and compare`,
    );
}

/** Refuses --queue on a regression (its fits run in this process for now). */
export function refuseQueueForRegression(o: { queue?: string }): void {
  if (o.queue !== undefined)
    throw new StrataError(
      "--queue: regressions fit in this process for now (their ensembles and folds are not jobs yet); leave out --queue",
    );
}
