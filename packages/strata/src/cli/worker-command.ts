import type { Command } from "commander";
import { integer } from "./options.js";

/** `strata worker`: its options; the command itself (and the queue's libraries) load on use. */
export function addWorkerCommand(program: Command): void {
  program
    .command("worker")
    .description(
      "run ensemble members, CV folds and compared models sent by fit/cv/compare --queue, on this machine (BullMQ on Redis)",
    )
    .requiredOption("--queue <url>", "the Redis the runs use: redis://HOST:PORT[/DB], rediss:// for TLS")
    .option("--concurrency <n>", "jobs at once, each in its own process", integer(1), 1)
    .option("--threads <n>", "threads each job's process uses (libtorch, XGBoost)", integer(1), 1)
    .option(
      "--lock-seconds <s>",
      "a job whose worker stops answering for this long goes to another worker",
      integer(1),
      10,
    )
    .option("--name <name>", "how this worker is named in the runs' progress (default host:pid)")
    .option("--quiet", "no line per job")
    // Loaded on use: the queue's libraries are not needed by the other commands.
    .action(async (o) => (await import("./worker.js")).workerCommand(o));
}
