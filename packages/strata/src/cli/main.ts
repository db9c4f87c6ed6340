import { Command, CommanderError, Option } from "commander";
import { BACKENDS } from "../backend.js";
import { StrataError } from "../errors.js";
import { isWriterEnv } from "../parallel/distributed-env.js";
import { abandonPendingWrites, recoverInterruptedWrites } from "../util/atomic.js";
import { hasInterruptCleanups, runInterruptCleanups } from "../util/interrupt-cleanup.js";
import { VERSION } from "../version.js";
import { compareCommand } from "./compare.js";
import { cvCommand } from "./cv.js";
import { evaluateCommand } from "./evaluate.js";
import { exportCommand } from "./export.js";
import { fitCommand } from "./fit.js";
import { cliMessage } from "./flag-names.js";
import { addOptions } from "./option-spec.js";
import { fraction, integer, list, positive } from "./options.js";
import { checkOutputs } from "./output-paths.js";
import { ENSEMBLE_OPTIONS, PARAM_OPTIONS } from "./param-options.js";
import { predictCommand } from "./predict.js";
import { QUEUE_HELP } from "./queue-option.js";
import { DATA_OPTIONS, FIT_ONLY_OPTIONS, NPROC_OPTION } from "./run-options.js";
import { modelHelp } from "./target-words.js";
import { addWorkerCommand } from "./worker-command.js";
import { zooAddCommand, zooListCommand, zooRemoveCommand } from "./zoo.js";

/** The options of every command that fits models on labelled data (fit, cv). */
function withFitOptions(cmd: Command): Command {
  addOptions(cmd, DATA_OPTIONS);
  cmd.addOption(new Option("--model <kind>", modelHelp()));
  addOptions(cmd, PARAM_OPTIONS);
  addOptions(cmd, ENSEMBLE_OPTIONS);
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
    .option("--out <dir>", "save the model directory here (written atomically)")
    .option("--queue <url>", QUEUE_HELP);
  addOptions(fit, [...FIT_ONLY_OPTIONS, NPROC_OPTION]).action(fitCommand);

  const cv = withFitOptions(
    program
      .command("cv")
      .description(
        "k-fold cross-validation of a CSV file (stratified, or grouped with --group) or of an image folder (stratified)",
      )
      .argument("<data>", "CSV file with a header row, or a folder of images in class folders"),
  )
    .option("--folds <k>", "number of folds", integer(2), 5)
    .option("--out <dir>", "write report.html and metrics.json into this folder")
    .option("--queue <url>", QUEUE_HELP);
  addOptions(cv, [NPROC_OPTION]).action(cvCommand);

  withFitOptions(
    program
      .command("lr-find")
      .description(
        "sweep a network's learning rate from 1e-7 to 10 on fit's training split and suggest one (fastai's lr_find)",
      )
      .argument("<data>", "CSV file with a header row, or a folder of images in class folders"),
  )
    .option("--out <dir>", "write lr-find.svg and lr-find.json into this folder")
    .action(async (data: string, o, cmd: Command) =>
      (await import("./lr-find.js")).lrFindCommand(data, o, cmd),
    );

  const compare = program
    .command("compare")
    .description(
      "train several models on the same split and show them side by side (image models, or table models on a CSV file)",
    )
    .argument("<data>", "images in class folders (<class>/*, or train/ and test/), or a CSV file")
    .option(
      "--models <list>",
      "comma-separated; images: dense (flattened pixels) and/or cnn (default both); a CSV file: any table models (default dense,xgboost,logistic)",
      list,
    )
    .option(
      "--test-size <fraction>",
      "share held out for testing (images: when the folder has no test/)",
      fraction,
      0.2,
    );
  addOptions(compare, PARAM_OPTIONS);
  addOptions(compare, ENSEMBLE_OPTIONS);
  addOptions(compare, DATA_OPTIONS);
  outputOptions(
    compare
      .option("--seed <n>", "random seed", integer(0), 0)
      .option("--out <dir>", "write report.html and metrics.json into this folder")
      .option("--queue <url>", QUEUE_HELP),
  ).action(compareCommand);

  addWorkerCommand(program);

  program
    .command("evaluate")
    .description(
      "score a saved model on labelled data: a CSV file, or images in class folders (a regressor's: labels.csv or folders named by numbers)",
    )
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
    .description(
      "predict the rows of a CSV file (or image files): a classifier's labels and class probabilities, a regressor's number",
    )
    .argument("<dir>", "model directory written by strata fit --out")
    .argument(
      "<data...>",
      "CSV file with the model's feature columns; for an image model, image files or folders",
    )
    .option("--out <file>", "write the predictions CSV here (default: standard output)")
    .option(
      "--top <k>",
      "image models: print the k most probable classes of each image (zoo models: 5)",
      integer(1),
    )
    .option("--keep <cols>", "copy these input columns into the output (e.g. an id)", list)
    .option("--no-header", "the CSV has no header row")
    .option("--votes", "ensembles: each member's probabilities and top class beside the combined answer")
    .option(
      "--explain",
      "tables: a last column, why, with the 3 columns that moved each row most toward its prediction (XGBoost, dense, logistic); images: each member's vote with its Grad-CAM heatmap",
    )
    .option("--json", "with --votes: print one JSON array of the votes")
    .option(
      "--runtime <name>",
      "what runs the model: strata (its own backends) or onnx (its exported graph in ONNX Runtime, faster for image networks; npm install onnxruntime-node)",
      "strata",
    )
    .option("--quiet", "no notes")
    .action(predictCommand);

  program
    .command("explain")
    .description(
      "why a saved model predicts as it does: permutation importance on a labelled CSV (each ensemble member beside the ensemble), Grad-CAM heatmaps on images (each member beside its vote)",
    )
    .argument("<dir>", "model directory written by strata fit --out")
    .argument(
      "<data...>",
      "a labelled CSV file (held-out rows), or image files or folders for an image model",
    )
    .option("--repeats <n>", "shuffles per column; the spread is over these", integer(1), 5)
    .option(
      "--together <cols>",
      "columns shuffled as one (correlated ones, e.g. energy,loudness); repeat for several sets",
      (v: string, sets: string[][] = []) => [...sets, list(v)],
    )
    .option("--held-out", "tables: only the rows the model was not trained on (its directory records which)")
    .option(
      "--contributions <n>",
      "tables: also each of the first N rows' contributions per column (XGBoost: its TreeSHAP; dense and logistic: integrated gradients)",
      integer(1),
    )
    .option("--layer <name>", "image models: the layer Grad-CAM reads (default: the last convolutional one)")
    .option("--out <dir>", "write explanation.json and, for images, the heatmap overlays (PNG) here")
    .option("--seed <n>", "random seed for the shuffles", integer(0), 0)
    .option("--no-header", "the CSV has no header row")
    .option("--json", "print only one JSON object with the explanation")
    .option("--quiet", "no progress or notes")
    .action(async (dir: string, data: string[], o) =>
      (await import("./explain.js")).explainCommand(dir, data, o),
    );

  program
    .command("serve")
    .description("serve a web page to try a saved model, and POST /api/predict for programs")
    .argument("<dir>", "model directory written by strata fit --out")
    .option("--port <n>", "TCP port (0: any free one)", integer(0), 8080)
    .option(
      "--host <address>",
      "address to listen on (loopback by default; 0.0.0.0: every interface)",
      "127.0.0.1",
    )
    .option("--max-upload-mb <n>", "largest upload accepted, per file", positive, 10)
    .option("--max-in-flight <n>", "prediction requests handled at once; more get 503", integer(1), 64)
    // Loaded on use: the server library is not needed by the other commands.
    .action(async (dir: string, o) => (await import("./serve.js")).serveCommand(dir, o));

  program
    .command("export")
    .description(
      "write a model of any kind (ensembles whole), its preprocessing inside, as one ONNX graph, or as a web page that predicts with no server",
    )
    .argument("<dir>", "model directory written by strata fit --out")
    .requiredOption(
      "--to <format>",
      "the format: onnx (a file) or web (a folder: index.html, the model, the runtime)",
    )
    .requiredOption("--out <path>", "the file (e.g. model.onnx) or, with --to web, the folder to write")
    .option(
      "--quantize <type>",
      "store the weights as float16 (half the size) or uint8 (a quarter); the graph computes in float32",
    )
    .option(
      "--json",
      "print only one JSON object: file, bytes, parameters, kind, task, classes (a regressor: target), inputs, outputs",
    )
    .option("--quiet", "print nothing when it succeeds")
    .action(exportCommand);

  const zoo = program
    .command("zoo")
    .description("list the pretrained models strata can load (name, size, input, license), or register one");
  outputOptions(zoo.command("list", { isDefault: true }).description("list the zoo")).action(zooListCommand);
  outputOptions(
    zoo
      .command("add")
      .description("copy a model (TF.js layers folder, Keras .h5 or .keras) into the zoo under a name")
      .argument("<name>", "the name to use it by (zoo:NAME, --backbone NAME)")
      .argument("<path>", "the model: a model.json folder, a .h5 or a .keras file"),
  ).action(zooAddCommand);
  zoo.command("remove").description("remove a registered model").argument("<name>").action(zooRemoveCommand);

  return program;
}

/** Exit codes after a signal, as a shell reports them (128 + the signal's number). */
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Makes SIGINT and SIGTERM stop the command at once with one line: any model directory or file
 * being written atomically is put back as it was (no temp sibling left), then the process exits.
 * Returns the function that removes the handlers.
 */
function handleInterrupts(): () => void {
  const handlers = Object.entries(SIGNAL_EXIT).map(([signal, code]) => {
    const handler = () => {
      abandonPendingWrites();
      process.stderr.write(`strata: interrupted (${signal}); nothing half-written was left behind\n`);
      // At once, before any other callback can go on writing; a run on a queue first takes its
      // jobs off it (a few seconds at most).
      if (!hasInterruptCleanups()) process.exit(code);
      runInterruptCleanups().finally(() => process.exit(code));
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => {
    for (const off of handlers) off();
  };
}

/**
 * Before a command reads or writes a model directory: cleans up what a strata process killed
 * while writing it left beside it (restoring the old directory when the kill came mid-swap),
 * and says so on stderr.
 */
function recoverBefore(action: Command): void {
  const o = action.opts() as { out?: string; quiet?: boolean; json?: boolean };
  const dirs = [
    ...(typeof o.out === "string" ? [o.out] : []),
    ...(["predict", "evaluate", "serve", "export", "explain"].includes(action.name()) &&
    typeof action.args[0] === "string" &&
    !action.args[0].startsWith("zoo:")
      ? [action.args[0]]
      : []),
  ];
  for (const dir of dirs)
    for (const note of recoverInterruptedWrites(dir))
      if (!o.quiet && !o.json) process.stderr.write(`note: ${note}\n`);
}

let quietOnClosedStdout = false;

/**
 * `strata predict … | head`: when the reader of stdout goes away (EPIPE), stop quietly, as
 * Unix tools do, instead of dying with a stack trace.
 */
function exitOnClosedStdout(): void {
  if (quietOnClosedStdout) return;
  quietOnClosedStdout = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
}

/** Runs the CLI; returns the exit code. User errors print one line, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  exitOnClosedStdout();
  const program = buildProgram();
  let release = () => {};
  program.hook("preAction", (_program, action) => {
    // Every path the command will write is checked before it reads or trains anything.
    checkOutputs(action.name(), action.args, action.opts());
    // Only rank 0 of a data-parallel fit writes, so only it puts back what a killed write left.
    if (isWriterEnv()) recoverBefore(action);
    // serve shuts down on its own signals, finishing the requests in progress.
    if (action.name() !== "serve" && action.name() !== "worker") release = handleInterrupts();
  });
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof StrataError) {
      // One line, whatever a library's message held (its later lines are advice, not the error).
      // The options it names are written as the CLI's flags (cutAt → --cut-at).
      process.stderr.write(`strata: error: ${cliMessage(e).split("\n")[0].trim()}\n`);
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`strata: internal error: ${message}\n`);
    if (process.env.STRATA_DEBUG) process.stderr.write(`${e instanceof Error ? e.stack : ""}\n`);
    else process.stderr.write("(set STRATA_DEBUG=1 for the stack trace, and please report it)\n");
    return 70;
  } finally {
    release();
  }
}
