import { Command, CommanderError, Option } from "commander";
import { BACKENDS } from "../backend.js";
import { StrataError } from "../errors.js";
import { VERSION } from "../version.js";
import { compareCommand } from "./compare.js";
import { cvCommand } from "./cv.js";
import { evaluateCommand } from "./evaluate.js";
import { fitCommand } from "./fit.js";
import { fraction, integer, integerList, list, nonNegative, positive } from "./options.js";
import { predictCommand } from "./predict.js";

const AUGMENT_HELP =
  'e.g. "flip,crop=4,rotate=10,zoom=0.1,translate=0.1,brightness=0.2,contrast=0.2" (default "flip,crop=2")';

/** Options every command that reads a labelled CSV and fits a model takes. */
function withFitOptions(cmd: Command): Command {
  return cmd
    .option("--target <col>", "column to predict (default: the last column)")
    .option("--group <col>", "keep rows sharing a value of this column on one side of every split")
    .option("--drop-duplicates <col>", "keep only the first row per value of this column")
    .option("--features <cols>", "use exactly these comma-separated columns as features", list)
    .option("--drop <cols>", "never use these comma-separated columns", list)
    .option("--categorical <cols>", "treat these columns as categories even if numeric", list)
    .option("--no-header", "the CSV has no header row (columns are named c0, c1, …)")
    .addOption(
      new Option(
        "--model <kind>",
        "dense (default for CSV files) or cnn (default for image folders)",
      ).choices(["dense", "cnn"]),
    )
    .option("--epochs <n>", "most epochs (early stopping usually ends sooner; default 200)", integer(1))
    .option("--hidden <sizes>", "hidden layer widths, e.g. 128,64", integerList)
    .option("--dropout <rate>", "dropout after each hidden layer (default 0.1)", nonNegative)
    .option("--batch-norm", "batch normalisation in hidden layers")
    .option("--l2 <penalty>", "L2 weight penalty (default 1e-4)", nonNegative)
    .option("--lr <rate>", "Adam learning rate (default 1e-3)", positive)
    .option("--batch-size <n>", "rows per step (default: about 64 steps per epoch)", integer(1))
    .option(
      "--validation-fraction <f>",
      "share of training rows (or groups) held out for early stopping (default 0.1)",
      fraction,
    )
    .option("--patience <n>", "early-stopping patience in epochs, 0 to disable (default 15)", integer(0))
    .addOption(
      new Option("--activation <fn>", "hidden activation").choices([
        "relu",
        "elu",
        "selu",
        "tanh",
        "swish",
        "mish",
        "gelu",
      ]),
    )
    .addOption(new Option("--class-weight <how>", "weigh classes in the loss").choices(["balanced", "none"]))
    .option("--seed <n>", "random seed for splits, initialisation and shuffling", integer(0), 0)
    .option("--size <n|HxW>", "image folders: resize images to this size (default 32)")
    .addOption(
      new Option("--channels <n>", "image folders: 3 (RGB, default) or 1 (grayscale)").argParser(integer(1)),
    )
    .addOption(
      new Option("--schedule <kind>", "image folders: learning-rate schedule (default cosine)").choices([
        "constant",
        "cosine",
        "step",
        "onecycle",
      ]),
    )
    .option("--augment <spec>", `image folders: training augmentation, ${AUGMENT_HELP}`)
    .option("--no-augment", "image folders: no augmentation")
    .option("--cache <dir>", "image folders: keep decoded images here so reruns skip decoding")
    .option(
      "--memory-cache <MiB>",
      "image folders: decoded images kept in memory between epochs (default 512; 0: decode every epoch)",
      nonNegative,
    )
    .option("--strict", "image folders: fail on the first unreadable image instead of skipping it")
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

  withFitOptions(
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
    .option("--test <file>", "evaluate on this CSV file instead of a split")
    .option("--out <dir>", "save the model directory here (written atomically)")
    .option(
      "--checkpoint <dir>",
      "image folders: after every epoch write DIR/last (to resume) and DIR/best (the best epoch's model)",
    )
    .option("--resume", "image folders: continue the interrupted fit checkpointed in --checkpoint DIR")
    .action(fitCommand);

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

  program
    .command("compare")
    .description("train several image models on the same split and show them side by side")
    .argument("<folder>", "images in class folders (<class>/*, or train/ and test/)")
    .option("--models <list>", "comma-separated: dense (flattened pixels) and/or cnn", list, ["dense", "cnn"])
    .option("--epochs <n>", "epochs per model (default 15)", integer(1))
    .option("--size <n|HxW>", "resize images to this size (default 32)")
    .addOption(new Option("--channels <n>", "3 (RGB, default) or 1 (grayscale)").argParser(integer(1)))
    .option("--batch-size <n>", "images per step (default 64)", integer(1))
    .option("--lr <rate>", "Adam learning rate (default 1e-3)", positive)
    .option("--augment <spec>", `training augmentation, ${AUGMENT_HELP}`)
    .option("--no-augment", "no augmentation")
    .option("--cache <dir>", "keep decoded images here so reruns skip decoding")
    .option(
      "--memory-cache <MiB>",
      "decoded images kept in memory between epochs (default 512; 0: decode every epoch)",
      nonNegative,
    )
    .option("--strict", "fail on the first unreadable image instead of skipping it")
    .option("--test-size <fraction>", "share of images held out when the folder has no test/", fraction, 0.2)
    .option("--seed <n>", "random seed", integer(0), 0)
    .option("--json", "print only one JSON object with the results")
    .option("--quiet", "no progress or notes")
    .action(compareCommand);

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
