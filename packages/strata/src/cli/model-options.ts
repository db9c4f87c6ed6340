import { type Command, Option } from "commander";
import { StrataError } from "../errors.js";
import { DENSE_DEFAULTS } from "../estimators/dense.js";
import { IMAGE_DEFAULTS } from "../estimators/image.js";
import { defaultMembers, META_MODELS, presetNames } from "../estimators/presets.js";
import { STACKING_DEFAULTS } from "../estimators/stacking.js";
import { TRANSFER_DEFAULTS } from "../estimators/transfer.js";
import { VOTING_DEFAULTS } from "../estimators/voting.js";
import { XGBOOST_DEFAULTS } from "../estimators/xgboost.js";
import type { AugmentConfig } from "../images/augment.js";
import type { ParamValue } from "../util/params.js";
import { parseAugment, parseSchedule, parseSize } from "./image-options.js";
import {
  delimiter,
  encoding,
  integer,
  integerList,
  integerListOrNone,
  list,
  nonFinitePolicy,
  nonNegative,
  positive,
  validationShare,
} from "./options.js";

/** Which estimator a command line asks for: the data's kind and --model. */
export type ModelTarget =
  | "table:dense"
  | "table:xgboost"
  | "table:vote"
  | "table:stack"
  | "images:cnn"
  | "images:dense"
  | "images:transfer"
  | "images:vote"
  | "images:stack";
/** Targets trained by strata's network loop (epochs, schedules, checkpoints). */
const NETWORKS: readonly ModelTarget[] = ["table:dense", "images:cnn", "images:dense", "images:transfer"];
const ALL: readonly ModelTarget[] = [...NETWORKS, "table:xgboost"];
const TABLE: readonly ModelTarget[] = ["table:dense"];
/** Every single model of tables. */
const TABLES: readonly ModelTarget[] = ["table:dense", "table:xgboost"];
/** Ensembles of several members (voting, stacking). */
export const ENSEMBLES: readonly ModelTarget[] = ["table:vote", "table:stack", "images:vote", "images:stack"];
const VOTE: readonly ModelTarget[] = ["table:vote", "images:vote"];
const STACK: readonly ModelTarget[] = ["table:stack", "images:stack"];
/** Everything fitted on a CSV file: the data options apply to all of them. */
const TABLE_DATA: readonly ModelTarget[] = [...TABLES, "table:vote", "table:stack"];
const XGBOOST: readonly ModelTarget[] = ["table:xgboost"];
const IMAGES: readonly ModelTarget[] = ["images:cnn", "images:dense", "images:transfer"];
/** Image models trained from scratch (their pixels scaled by strata, any channel count). */
const SCRATCH: readonly ModelTarget[] = ["images:cnn", "images:dense"];
const TRANSFER: readonly ModelTarget[] = ["images:transfer"];
/** Everything fitted on an image folder: the image-reading options apply to all of them. */
const IMAGE_DATA: readonly ModelTarget[] = [...IMAGES, "images:vote", "images:stack"];

/** An ensemble's defaults for the help: its members as --members names them. */
const ensembleDefaults = (defaults: object, input: "table" | "images") => ({
  ...defaults,
  members: defaultMembers(input).join(","),
  meta: "logistic",
});

/** Each target's defaults, for the help text. */
const DEFAULTS: Record<ModelTarget, Record<string, unknown>> = {
  "table:dense": { ...DENSE_DEFAULTS },
  "table:xgboost": { ...XGBOOST_DEFAULTS },
  "images:cnn": { ...IMAGE_DEFAULTS },
  "images:dense": { ...IMAGE_DEFAULTS },
  "images:transfer": { ...TRANSFER_DEFAULTS },
  "table:vote": ensembleDefaults(VOTING_DEFAULTS, "table"),
  "table:stack": ensembleDefaults(STACKING_DEFAULTS, "table"),
  "images:vote": ensembleDefaults(VOTING_DEFAULTS, "images"),
  "images:stack": ensembleDefaults(STACKING_DEFAULTS, "images"),
};

const TARGET_NAMES: Record<ModelTarget, string> = {
  "table:dense": "CSV files",
  "table:xgboost": "XGBoost (--model xgboost)",
  "images:cnn": "CNNs on image folders",
  "images:dense": "dense networks on image folders (--model dense)",
  "images:transfer": "transfer models (--model transfer)",
  "table:vote": "voting ensembles of CSV files (--model vote)",
  "table:stack": "stacking ensembles of CSV files (--model stack)",
  "images:vote": "voting ensembles of image folders (--model vote)",
  "images:stack": "stacking ensembles of image folders (--model stack)",
};

/** Shorter names for the help's defaults. */
const HELP_NAMES: Record<ModelTarget, string> = {
  "table:dense": "CSV files",
  "table:xgboost": "xgboost",
  "images:cnn": "cnn",
  "images:dense": "dense on images",
  "images:transfer": "transfer",
  "table:vote": "vote on CSV files",
  "table:stack": "stack on CSV files",
  "images:vote": "vote on images",
  "images:stack": "stack on images",
};

/** "CSV files and image folders", naming both image targets at once when both are there. */
function describeTargets(targets: readonly ModelTarget[]): string {
  const names: string[] = [];
  let rest = [...targets];
  for (const [group, name] of [
    [TABLE_DATA, "CSV files"],
    [TABLES, "CSV files"],
    [IMAGE_DATA, "image folders"],
    [IMAGES, "image folders"],
    [ENSEMBLES, "ensembles (--model vote or stack)"],
    [VOTE, "voting ensembles (--model vote)"],
    [STACK, "stacking ensembles (--model stack)"],
  ] as const) {
    if (group.every((t) => rest.includes(t))) {
      names.push(name);
      rest = rest.filter((t) => !group.includes(t));
    }
  }
  return [...names, ...rest.map((t) => TARGET_NAMES[t])].join(" and ");
}

/** A command-line option that sets a hyperparameter, or one that only some targets take. */
interface OptionSpec {
  /** Commander's flags, e.g. "--hidden <sizes>". */
  readonly flags: string;
  /** The attribute commander stores the value under. */
  readonly attr: string;
  readonly help: string;
  readonly parse?: (value: string) => unknown;
  /** The targets that take it. */
  readonly targets: readonly ModelTarget[];
  /** The hyperparameter it sets (absent: a data or machine option, not a param). */
  readonly param?: string;
  /** Targets whose param of this option has another name. */
  readonly params?: Partial<Record<ModelTarget, string>>;
  /** From the parsed value to the param's value (default: as it is). */
  readonly toParam?: (value: unknown) => ParamValue | undefined;
  /** How a default is shown in the help (default: as text). */
  readonly show?: (value: unknown) => string;
}

const scheduleKind = (v: unknown) => (v as { kind: string }).kind;
const joined = (v: unknown) => (v as unknown[]).join(v && (v as unknown[]).length === 2 ? "x" : ",");

/** Every option that sets a model's hyperparameters, with the targets that take it. */
export const PARAM_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "--epochs <n>",
    attr: "epochs",
    help: "most epochs (early stopping may end sooner); for xgboost, most boosting rounds",
    parse: integer(1),
    targets: ALL,
    param: "epochs",
    params: { "table:xgboost": "nEstimators" },
  },
  {
    flags: "--hidden <sizes>",
    attr: "hidden",
    help: "hidden layer widths, e.g. 128,64",
    parse: integerList,
    targets: ["table:dense", "images:dense"],
    param: "hiddenUnits",
    show: (v) => (v as number[]).join(","),
  },
  {
    flags: "--dropout <rate>",
    attr: "dropout",
    help: "dropout after each hidden layer",
    parse: nonNegative,
    targets: TABLE,
    param: "dropout",
  },
  {
    flags: "--batch-norm",
    attr: "batchNorm",
    help: "batch normalisation in hidden layers",
    targets: TABLE,
    param: "batchNorm",
  },
  {
    flags: "--l2 <penalty>",
    attr: "l2",
    help: "L2 weight penalty",
    parse: nonNegative,
    targets: TABLE,
    param: "l2",
  },
  {
    flags: "--lr <rate>",
    attr: "lr",
    help: "Adam learning rate",
    parse: positive,
    targets: ALL,
    param: "learningRate",
  },
  {
    flags: "--batch-size <n>",
    attr: "batchSize",
    help: "rows per step (auto: about 64 steps per epoch)",
    parse: integer(1),
    targets: NETWORKS,
    param: "batchSize",
  },
  {
    flags: "--validation-fraction <f>",
    attr: "validationFraction",
    help: "share of training rows (or groups) held out for early stopping, 0 for none",
    parse: validationShare,
    targets: ALL,
    param: "validationFraction",
  },
  {
    flags: "--patience <n>",
    attr: "patience",
    help: "early-stopping patience in epochs (xgboost: rounds), 0 to disable",
    parse: integer(0),
    targets: ALL,
    param: "patience",
    params: { "table:xgboost": "earlyStoppingRounds" },
  },
  {
    flags: "--activation <fn>",
    attr: "activation",
    help: "hidden activation: relu, elu, selu, tanh, swish, mish or gelu",
    parse: choice("--activation", ["relu", "elu", "selu", "tanh", "swish", "mish", "gelu"]),
    targets: TABLE,
    param: "activation",
  },
  {
    flags: "--class-weight <how>",
    attr: "classWeight",
    help: "weigh classes in the loss: balanced or none",
    parse: choice("--class-weight", ["balanced", "none"]),
    targets: TABLES,
    param: "classWeight",
  },
  {
    flags: "--max-depth <n>",
    attr: "maxDepth",
    help: "deepest tree",
    parse: integer(1),
    targets: XGBOOST,
    param: "maxDepth",
  },
  {
    flags: "--schedule <kind>",
    attr: "schedule",
    help: "learning-rate schedule: constant, cosine, step or onecycle",
    parse: parseSchedule,
    targets: NETWORKS,
    param: "schedule",
    show: scheduleKind,
  },
  {
    flags: "--size <n|HxW>",
    attr: "size",
    help: "resize images to this size",
    parse: parseSize,
    targets: IMAGES,
    param: "size",
    show: (v) => (v === null ? "auto: about 4x the images' side, at most the backbone's" : joined(v)),
  },
  {
    flags: "--channels <n>",
    attr: "channels",
    help: "3 (RGB) or 1 (grayscale)",
    parse: choice("--channels", ["1", "3"]),
    targets: SCRATCH,
    param: "channels",
    toParam: Number,
  },
  {
    flags: "--augment <spec>",
    attr: "augment",
    help: 'training augmentation, e.g. "flip,crop=4,rotate=10,zoom=0.1,translate=0.1,brightness=0.2,contrast=0.2"',
    parse: parseAugment,
    targets: IMAGES,
    param: "augment",
    toParam: (v) => (v === false ? null : (v as ParamValue)),
    show: (v) => augmentText(v as AugmentConfig | null),
  },
  { flags: "--no-augment", attr: "augment", help: "no training augmentation", targets: IMAGES },
  {
    flags: "--backbone <name|path>",
    attr: "backbone",
    help: "pretrained model to start from: a zoo name (strata zoo lists them), a model path or an https:// URL",
    targets: TRANSFER,
    param: "backbone",
  },
  {
    flags: "--cut-at <layer>",
    attr: "cutAt",
    help: "the backbone layer whose output is the feature",
    targets: TRANSFER,
    param: "cutAt",
    show: (v) => (v === null ? "the zoo entry's, before its classifier" : String(v)),
  },
  {
    flags: "--freeze <all|N|layer>",
    attr: "freeze",
    help: "what stays frozen while the head trains: all, the first N backbone layers, or up to a layer",
    parse: (v) => (/^\d+$/.test(v) ? Number(v) : v),
    targets: TRANSFER,
    param: "freeze",
  },
  {
    flags: "--fine-tune <k>",
    attr: "fineTune",
    help: "then unfreeze the backbone's top k blocks and fine-tune them (0: head only)",
    parse: integer(0),
    targets: TRANSFER,
    param: "fineTune",
  },
  {
    flags: "--epochs-head <n>",
    attr: "epochsHead",
    help: "epochs of the head on the frozen backbone (the same as --epochs)",
    parse: integer(1),
    targets: TRANSFER,
    param: "epochs",
  },
  {
    flags: "--epochs-fine <n>",
    attr: "epochsFine",
    help: "epochs of fine-tuning after the head",
    parse: integer(0),
    targets: TRANSFER,
    param: "epochsFine",
  },
  {
    flags: "--fine-lr <rate>",
    attr: "fineLr",
    help: "learning rate of the head while fine-tuning (the backbone's blocks get 1/10 to 1/3 of it)",
    parse: positive,
    targets: TRANSFER,
    param: "fineLearningRate",
  },
  {
    flags: "--head-hidden <sizes>",
    attr: "headHidden",
    help: "hidden ReLU layers of the head, e.g. 256 (none: pooled features straight to the output)",
    parse: integerListOrNone,
    targets: TRANSFER,
    param: "headHidden",
    show: (v) => ((v as number[]).length ? (v as number[]).join(",") : "none"),
  },
];

/** Options of ensembles (--model vote or stack): the members, how they are combined, how they are run. */
export const ENSEMBLE_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "--members <list>",
    attr: "members",
    help: `the ensemble's members, comma-separated; a name given again is the same model with the next seed (${presetNames()})`,
    targets: ENSEMBLES,
    param: "members",
    show: String,
  },
  {
    flags: "--voting <how>",
    attr: "voting",
    help: "soft: average the members' probabilities; hard: count their top classes",
    parse: choice("--voting", ["soft", "hard"]),
    targets: VOTE,
    param: "voting",
  },
  {
    flags: "--weights <list|learned>",
    attr: "weights",
    help: "one weight per member (e.g. 2,1,1), or learned: greedy ensemble selection on out-of-fold probabilities",
    parse: parseWeights,
    targets: VOTE,
    param: "weights",
    show: (v) => (v === null ? "equal" : String(v)),
  },
  {
    flags: "--meta <model>",
    attr: "meta",
    help: `the meta-model that learns from the members' out-of-fold probabilities: ${Object.keys(META_MODELS).join(" or ")}`,
    parse: choice("--meta", Object.keys(META_MODELS)),
    targets: STACK,
    param: "meta",
    toParam: (v) => META_MODELS[v as string],
  },
  {
    flags: "--passthrough",
    attr: "passthrough",
    help: "give the meta-model the original columns beside the members' probabilities",
    targets: ["table:stack"],
    param: "passthrough",
  },
  {
    flags: "--stack-folds <k>",
    attr: "stackFolds",
    help: "folds of the cross-validation that gives each member's out-of-fold probabilities (stack, vote --weights learned)",
    parse: integer(2),
    targets: ENSEMBLES,
    param: "folds",
  },
  {
    flags: "--jobs <n>",
    attr: "jobs",
    help: "member fits at once, each in its own process (default: the number of cores; 1: one after another here)",
    parse: integer(1),
    targets: ENSEMBLES,
  },
];

/** "learned" or one non-negative weight per member. */
function parseWeights(value: string): number[] | "learned" {
  if (value === "learned") return value;
  const weights = list(value).map(nonNegative);
  if (weights.length === 0 || weights.every((w) => w === 0))
    throw new StrataError(`--weights: expected numbers, not all 0, or "learned", got "${value}"`);
  return weights;
}

/** "flip,crop=2" for an AugmentConfig, "none" for null. */
function augmentText(a: AugmentConfig | null): string {
  if (!a) return "none";
  const parts = a.flip ? ["flip"] : [];
  if (a.cropPadding) parts.push(`crop=${a.cropPadding}`);
  for (const k of ["rotate", "zoom", "translate", "brightness", "contrast"] as const)
    if (a[k]) parts.push(`${k}=${a[k]}`);
  return parts.join(",");
}

/** Options that read or split the data, or set the machine, and which targets take them. */
export const DATA_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "--target <col>",
    attr: "target",
    help: "column to predict (default: the last column)",
    targets: TABLE_DATA,
  },
  {
    flags: "--group <col>",
    attr: "group",
    help: "keep rows sharing a value of this column on one side of every split",
    targets: TABLE_DATA,
  },
  {
    flags: "--drop-duplicates <col>",
    attr: "dropDuplicates",
    help: "keep only the first row per value of this column",
    targets: TABLE_DATA,
  },
  {
    flags: "--features <cols>",
    attr: "features",
    help: "use exactly these comma-separated columns as features",
    parse: list,
    targets: TABLE_DATA,
  },
  {
    flags: "--drop <cols>",
    attr: "drop",
    help: "never use these comma-separated columns",
    parse: list,
    targets: TABLE_DATA,
  },
  {
    flags: "--categorical <cols>",
    attr: "categorical",
    help: "treat these columns as categories even if numeric",
    parse: list,
    targets: TABLE_DATA,
  },
  {
    flags: "--no-header",
    attr: "header",
    help: "the CSV has no header row (columns are named c0, c1, …)",
    targets: TABLE_DATA,
  },
  {
    flags: "--non-finite <how>",
    attr: "nonFinite",
    help: "a number too large for a double (1e999): error (default, names the cell) or missing (imputed, at predict time too)",
    parse: nonFinitePolicy,
    targets: TABLE_DATA,
  },
  {
    flags: "--delimiter <char>",
    attr: "delimiter",
    help: "the CSV's field delimiter, e.g. ';' or '\\t' (default: detected from the first lines: , ; tab or |); saved with the model",
    parse: delimiter,
    targets: TABLE_DATA,
  },
  {
    flags: "--encoding <name>",
    attr: "encoding",
    help: "how the CSV's bytes are text: utf8 (default) or latin1 (ISO-8859-1 / Windows-1252); saved with the model",
    parse: encoding,
    targets: TABLE_DATA,
  },
  {
    flags: "--cache <dir>",
    attr: "cache",
    help: "keep decoded images here so reruns skip decoding",
    targets: IMAGE_DATA,
  },
  {
    flags: "--memory-cache <MiB>",
    attr: "memoryCache",
    help: "decoded images kept in memory between epochs (default 512; 0: decode every epoch)",
    parse: nonNegative,
    targets: IMAGE_DATA,
  },
  {
    flags: "--strict",
    attr: "strict",
    help: "fail on the first unreadable image instead of skipping it",
    targets: IMAGE_DATA,
  },
];

/** Options of fit only. */
export const FIT_ONLY_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "--test <file>",
    attr: "test",
    help: "evaluate on this CSV file instead of a split",
    targets: TABLE_DATA,
  },
  {
    flags: "--checkpoint <dir>",
    attr: "checkpoint",
    help: "after every epoch write DIR/last (to resume) and DIR/best (the best epoch's model)",
    targets: NETWORKS,
  },
  {
    flags: "--resume",
    attr: "resume",
    help: "continue the interrupted fit checkpointed in --checkpoint DIR",
    targets: NETWORKS,
  },
];

/** Adds options to a command, each param option's help ending with its defaults. */
export function addOptions(cmd: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) {
    const option = new Option(spec.flags, spec.param ? `${spec.help} ${defaultsText(spec)}` : spec.help);
    if (spec.parse) option.argParser(spec.parse);
    cmd.addOption(option);
  }
  return cmd;
}

/** "(default: 200 for CSV files, 15 for image folders)", or one value when every target has the same. */
function defaultsText(spec: OptionSpec): string {
  const show = spec.show ?? String;
  const byText = new Map<string, ModelTarget[]>();
  for (const t of spec.targets) {
    const text = show(DEFAULTS[t][spec.params?.[t] ?? spec.param ?? ""]);
    byText.set(text, [...(byText.get(text) ?? []), t]);
  }
  if (byText.size === 1) return `(default ${[...byText.keys()][0]})`;
  const names = (ts: readonly ModelTarget[]) =>
    IMAGES.every((t) => ts.includes(t)) ? "image folders" : ts.map((t) => HELP_NAMES[t]).join(", ");
  return `(default: ${[...byText].map(([text, ts]) => `${text} for ${names(ts)}`).join("; ")})`;
}

/**
 * Refuses options given on the command line that the target does not take (naming the option
 * and where it applies), instead of silently ignoring them; returns the params they set.
 */
export function paramsFromOptions(
  cmd: Command,
  options: Record<string, unknown>,
  target: ModelTarget,
  specs: readonly OptionSpec[],
): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const spec of specs) {
    if (cmd.getOptionValueSource(spec.attr) !== "cli") continue;
    if (!spec.targets.includes(target)) {
      const flag = spec.flags.split(" ")[0];
      const singles = singleModelsLike(target, spec.targets);
      if (singles.length > 0)
        throw new StrataError(
          `${flag} does not apply to ${TARGET_NAMES[target]}` +
            (spec.param ? ": their members take their settings from their presets (--members); " : "; ") +
            `${flag} applies to single models: --model ${singles.join(" or ")}`,
        );
      throw new StrataError(
        `${flag} does not apply to ${TARGET_NAMES[target]}; it applies to ${describeTargets(spec.targets)}`,
      );
    }
    if (!spec.param) continue;
    const value = (spec.toParam ?? ((v) => v as ParamValue))(options[spec.attr]);
    if (value !== undefined) params[spec.params?.[target] ?? spec.param] = value;
  }
  return params;
}

/**
 * For an ensemble target and an option that no ensemble takes: the --model names of the single
 * models of the same data kind that take it (empty otherwise). "applies to CSV files" would
 * contradict itself when the ensemble is fitted on a CSV file too.
 */
function singleModelsLike(target: ModelTarget, targets: readonly ModelTarget[]): string[] {
  if (!ENSEMBLES.includes(target) || targets.some((t) => ENSEMBLES.includes(t))) return [];
  const kind = target.split(":")[0];
  return targets.filter((t) => t.startsWith(`${kind}:`)).map((t) => t.split(":")[1]);
}

function choice(flag: string, values: readonly string[]): (value: string) => string {
  return (value) => {
    if (!values.includes(value))
      throw new StrataError(`${flag}: expected ${values.join(", ")}, got "${value}"`);
    return value;
  };
}
