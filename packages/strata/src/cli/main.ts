import { Command, CommanderError, Option } from "commander";
import { BACKENDS } from "../backend.js";
import { StrataError } from "../errors.js";
import { VERSION } from "../version.js";
import { compareCommand } from "./compare.js";
import { cvCommand } from "./cv.js";
import { evaluateCommand } from "./evaluate.js";
import { fitCommand } from "./fit.js";
import { addOptions, DATA_OPTIONS, FIT_ONLY_OPTIONS, PARAM_OPTIONS } from "./model-options.js";
import { fraction, integer, list } from "./options.js";
import { predictCommand } from "./predict.js";

/** The options of every command that fits models on labelled data (fit, cv). */
function withFitOptions(cmd: Command): Command {
  addOptions(cmd, DATA_OPTIONS);
  cmd.addOption(
    new Option("--model <kind>", "dense (default for CSV files) or cnn (default for image folders)").choices([
      "dense",
      "cnn",
    ]),
  );
  addOptions(cmd, PARAM_OPTIONS);
  return outputOptions(
    cmd.option("--seed <n>", "random seed for splits, initialisation, dropout and shuffling", integer(0), 0),
  );
}

function outputOptions(cmd: Command): Command {
  return cmd
    .option("--json", "print only one JSON object with the results")
    .option("--quiet", "no progress or notes");
}

export function buildProgram(): Command {
  const program = new Command("strata")
    .description("Neural-network classifiers for tables and images: fit, evaluate honestly, predict.")
    .version(VERSION)
    .addHelpText(
      "after",
      `\nEnvironment:\n  STRATA_BACKEND=${BACKENDS.join("|")}  force a compute backend (default: the fastest that loads)\n\nExample:\n  strata fit songs.csv --target playlist_genre --group track_artist --out models/genre`,
    )
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  const fit = withFitOptions(
    program
      .command("fit")
      .description(
        "fit a model on a CSV file or an image folder, evaluate it on a held-out test split, optionally save it",
      )
      .argument("<data>", "CSV file with a header row, or a folder of images in class folders"),
  )
    .option(
      "--test-size <fraction>",
      "share of rows (or of groups, with --group) held out for testing",
      fraction,
      0.2,
    )
    .option("--out <dir>", "save the model directory here (written atomically)");
  addOptions(fit, FIT_ONLY_OPTIONS).action(fitCommand);

  withFitOptions(
    program
      .command("cv")
      .description(
        "k-fold cross-validation of a CSV file (stratified, or grouped with --group) or of an image folder (stratified)",
      )
      .argument("<data>", "CSV file with a header row, or a folder of images in class folders"),
  )
    .option("--folds <k>", "number of folds", integer(2), 5)
    .action(cvCommand);

  const compare = program
    .command("compare")
    .description("train several image models on the same split and show them side by side")
    .argument("<folder>", "images in class folders (<class>/*, or train/ and test/)")
    .option("--models <list>", "comma-separated: dense (flattened pixels) and/or cnn", list, ["dense", "cnn"])
    .option("--test-size <fraction>", "share of images held out when the folder has no test/", fraction, 0.2);
  addOptions(
    compare,
    PARAM_OPTIONS.filter((o) => o.targets.some((t) => t.startsWith("images:"))),
  );
  addOptions(
    compare,
    DATA_OPTIONS.filter((o) => o.targets.every((t) => t.startsWith("images:"))),
  );
  outputOptions(compare.option("--seed <n>", "random seed", integer(0), 0)).action(compareCommand);

  program
    .command("evaluate")
    .description("score a saved model on a labelled CSV file")
    .argument("<dir>", "model directory written by strata fit --out")
    .argument(
      "<data>",
      "CSV file with the model's feature columns and its target; for an image model, a class-folder dataset",
    )
    .option("--no-header", "the CSV has no header row")
    .option("--json", "print only one JSON object with the results")
    .action(evaluateCommand);

  program
    .command("predict")
    .description("predict labels and class probabilities for the rows of a CSV file")
    .argument("<dir>", "model directory written by strata fit --out")
    .argument(
      "<data...>",
      "CSV file with the model's feature columns; for an image model, image files or folders",
    )
    .option("--out <file>", "write the predictions CSV here (default: standard output)")
    .option("--top <k>", "image models: print the k most probable classes of each image", integer(1), 3)
    .option("--keep <cols>", "copy these input columns into the output (e.g. an id)", list)
    .option("--no-header", "the CSV has no header row")
    .option("--quiet", "no notes")
    .action(predictCommand);

  return program;
}

/** Runs the CLI; returns the exit code. User errors print one line, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof StrataError) {
      process.stderr.write(`strata: error: ${e.message}\n`);
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`strata: internal error: ${message}\n`);
    if (process.env.STRATA_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ""}\n`);
    else process.stderr.write("(set STRATA_DEBUG=1 for the stack trace, and please report it)\n");
    return 70;
  }
}
