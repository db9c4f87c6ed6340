// The damaged-input sweep, after scikit-learn's check_estimator: one row per way a new user's
// input can be wrong (CSV files, option values, every file of a model directory, image folders),
// each with the message fragments its one error line must hold. Every row also checks that the
// refused command wrote nothing and lost nothing: the case's folder (its data, an old model
// directory that --out would replace, the damaged model) is byte-identical afterwards, with no
// temporary sibling left behind.
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  assertRefused,
  assertSameTree,
  PIMA_HEADER as HEADER,
  runCliAsync,
  snapshot,
  syntheticImages,
  syntheticPima,
} from "./helpers/sweep.js";

type Area = "csv" | "options" | "model-dir" | "images";
type Fixture = "dense" | "xgboost" | "cnn" | "stack";

interface Row {
  readonly area: Area;
  readonly name: string;
  /** The command line, run in the case's folder (which holds data.csv, old/, images/, model/). */
  readonly args: readonly string[];
  /** Damages the case's folder before the run. */
  readonly setup?: (dir: string) => void;
  /** The model directory copied to model/ (default: none). */
  readonly model?: Fixture;
  readonly expect: readonly (string | RegExp)[];
}

let root: string;
const fixtures: Partial<Record<Fixture, string>> = {};
const PIMA_ROWS = 200;

/** Replaces line `n` (1-based, the header is 1) of dir/name. */
function editLine(dir: string, name: string, n: number, edit: (line: string) => string): void {
  const lines = readFileSync(join(dir, name), "utf8").split("\n");
  lines[n - 1] = edit(lines[n - 1]);
  writeFileSync(join(dir, name), lines.join("\n"));
}

const writeFile = (name: string, content: string | Uint8Array) => (dir: string) =>
  writeFileSync(join(dir, name), content);
const editJson =
  (file: string, edit: (json: Record<string, unknown>) => void) =>
  (dir: string): void => {
    const path = join(dir, "model", file);
    const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    edit(json);
    writeFileSync(path, JSON.stringify(json));
  };
const truncateFile = (file: string, bytes: number) => (dir: string) => {
  const path = join(dir, "model", file);
  writeFileSync(path, readFileSync(path).subarray(0, bytes));
};
const removeFile = (file: string) => (dir: string) => rmSync(join(dir, "model", file));
const emptyFile = (file: string) => (dir: string) => writeFileSync(join(dir, "model", file), "");
const garbageFile = (file: string) => (dir: string) =>
  writeFileSync(join(dir, "model", file), "\u0000\u0001 this is not what strata wrote \u00ff");
/** Bytes that are not finite float32s at `index` of weights.bin (index in floats). */
const poisonWeight = (value: number, index: number) => (dir: string) => {
  const path = join(dir, "model", "weights.bin");
  const bytes = readFileSync(path);
  bytes.writeFloatLE(value, index * 4);
  writeFileSync(path, bytes);
};

/** The dense fixture's weights.bin: 8→128→64→1 float32s. */
const DENSE_WEIGHT_BYTES = 4 * (8 * 128 + 128 + 128 * 64 + 64 + 64 + 1);

const PREDICT = ["predict", "model", "data.csv", "--out", "pred.csv"] as const;
const PREDICT_IMAGE = ["predict", "model", "images/frog", "--out", "pred.csv"] as const;
const FIT = ["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "old"] as const;

const ROWS: readonly Row[] = [
  // ---- CSV input (fit and predict) ----
  {
    area: "csv",
    name: "1e999 (Infinity) in a training column",
    setup: (d) => editLine(d, "data.csv", 3, (l) => l.replace(/^\d+,/, "1e999,")),
    args: FIT,
    expect: ["data.csv, line 3", 'column "pregnancies"', "not a finite number", "--non-finite missing"],
  },
  {
    area: "csv",
    name: "-1e999 in a training column",
    setup: (d) => editLine(d, "data.csv", 7, (l) => l.replace(/,[\d.]+,(\d+,\d)$/, ",-1e999,$1")),
    args: FIT,
    expect: ["data.csv, line 7", 'column "diabetes_pedigree"', "-Infinity"],
  },
  {
    area: "csv",
    name: "1e999 in the --test file",
    setup: (d) => {
      cpSync(join(d, "data.csv"), join(d, "test.csv"));
      editLine(d, "test.csv", 5, (l) => l.replace(/^\d+,\d+,/, "1,1e999,"));
    },
    args: [...FIT, "--test", "test.csv"],
    expect: ["test.csv, line 5", 'column "glucose"', "not a finite number"],
  },
  {
    area: "csv",
    name: "1e999 in a row given to predict",
    model: "dense",
    setup: (d) => editLine(d, "data.csv", 2, (l) => l.replace(/^\d+,/, "1e999,")),
    args: PREDICT,
    expect: ["data.csv, line 2", 'column "pregnancies"', "not a finite number"],
  },
  {
    area: "csv",
    name: "junk in a numeric column",
    setup: (d) => editLine(d, "data.csv", 4, (l) => l.replace(/^\d+,\d+,/, "1,12abc,")),
    args: FIT,
    expect: ["data.csv, line 4", 'column "glucose"', 'expected a number, got "12abc"'],
  },
  {
    area: "csv",
    name: "missing --target column",
    args: [...FIT, "--target", "nope"],
    expect: ['"nope"', "target"],
  },
  {
    area: "csv",
    name: "empty file",
    setup: writeFile("data.csv", ""),
    args: FIT,
    expect: ["data.csv"],
  },
  {
    area: "csv",
    name: "header only",
    setup: writeFile("data.csv", `${HEADER}\n`),
    args: FIT,
    expect: ["data.csv"],
  },
  {
    area: "csv",
    name: "every target missing",
    setup: writeFile(
      "data.csv",
      `${HEADER}\n${Array.from({ length: 30 }, (_, i) => `${i % 7},${i * 3},${i % 5},4,${i},6,7,${20 + i},`).join("\n")}\n`,
    ),
    args: FIT,
    expect: ['column "outcome"', "every target value is missing"],
  },
  {
    area: "csv",
    name: "one value only",
    setup: (d) =>
      writeFileSync(
        join(d, "data.csv"),
        readFileSync(join(d, "data.csv"), "utf8").replace(/,[01]\n/g, ",1\n"),
      ),
    args: FIT,
    expect: ['column "outcome"', "the same value", "nothing to predict"],
  },
  {
    area: "csv",
    name: "a file that does not exist",
    args: ["fit", "nowhere.csv", "--quiet", "--out", "old"],
    expect: ["nowhere.csv"],
  },
  {
    area: "csv",
    name: "a row with too many fields",
    setup: (d) => editLine(d, "data.csv", 6, (l) => `${l},9,9`),
    args: FIT,
    expect: ["data.csv", /line 6/],
  },
  {
    area: "csv",
    name: "binary garbage instead of a CSV",
    setup: writeFile("data.csv", Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256))),
    args: FIT,
    expect: ["data.csv"],
  },
  {
    area: "csv",
    name: "a column with every value missing",
    setup: (d) =>
      writeFileSync(
        join(d, "data.csv"),
        readFileSync(join(d, "data.csv"), "utf8")
          .split("\n")
          .map((l, i) => (l === "" ? l : i === 0 ? `extra,${l}` : `,${l}`))
          .join("\n"),
      ),
    args: FIT,
    expect: ['column "extra"', "missing", "--drop extra"],
  },
  {
    area: "csv",
    name: "--group names no column",
    args: [...FIT, "--group", "nope"],
    expect: ['"nope"', "--group"],
  },
  {
    area: "csv",
    name: "predict on a CSV that lacks a feature column",
    model: "dense",
    setup: (d) =>
      writeFileSync(
        join(d, "data.csv"),
        readFileSync(join(d, "data.csv"), "utf8")
          .split("\n")
          .map((l) => l.split(",").slice(1).join(","))
          .join("\n"),
      ),
    args: PREDICT,
    expect: ["data.csv", "pregnancies"],
  },
  {
    area: "csv",
    name: "training diverges (the loss turns NaN)",
    args: [...FIT, "--lr", "1e30"],
    expect: ["training diverged", "loss is NaN at epoch 1", "nothing was saved"],
  },

  // ---- option values ----
  {
    area: "options",
    name: "--epochs 0",
    args: [...FIT, "--epochs", "0"],
    expect: ["--epochs", "integer >= 1"],
  },
  { area: "options", name: "--epochs abc", args: [...FIT, "--epochs", "abc"], expect: ["--epochs", '"abc"'] },
  {
    area: "options",
    name: "--test-size 1.5",
    args: [...FIT, "--test-size", "1.5"],
    expect: ["--test-size", "1.5"],
  },
  { area: "options", name: "--test-size 0", args: [...FIT, "--test-size", "0"], expect: ["--test-size"] },
  { area: "options", name: "--hidden 0", args: [...FIT, "--hidden", "0"], expect: ["--hidden"] },
  { area: "options", name: "--hidden 64,x", args: [...FIT, "--hidden", "64,x"], expect: ["--hidden", '"x"'] },
  { area: "options", name: "--dropout 1.5", args: [...FIT, "--dropout", "1.5"], expect: ["dropout", "1.5"] },
  { area: "options", name: "--lr 0", args: [...FIT, "--lr", "0"], expect: ["--lr", "> 0"] },
  { area: "options", name: "--lr Infinity", args: [...FIT, "--lr", "Infinity"], expect: ["--lr"] },
  { area: "options", name: "--l2 -1", args: [...FIT, "--l2", "-1"], expect: ["--l2"] },
  { area: "options", name: "--seed 1.5", args: [...FIT, "--seed", "1.5"], expect: ["--seed"] },
  { area: "options", name: "--patience -1", args: [...FIT, "--patience", "-1"], expect: ["--patience"] },
  { area: "options", name: "--batch-size 0", args: [...FIT, "--batch-size", "0"], expect: ["--batch-size"] },
  {
    area: "options",
    name: "--validation-fraction 0.7",
    args: [...FIT, "--validation-fraction", "0.7"],
    expect: ["--validation-fraction"],
  },
  {
    area: "options",
    name: "--model bogus",
    args: [...FIT, "--model", "bogus"],
    expect: ["--model", "bogus"],
  },
  {
    area: "options",
    name: "--non-finite bogus",
    args: [...FIT, "--non-finite", "bogus"],
    expect: ["--non-finite", '"error" or "missing"'],
  },
  {
    area: "options",
    name: "--max-depth 0 (xgboost)",
    args: [...FIT, "--model", "xgboost", "--max-depth", "0"],
    expect: ["--max-depth"],
  },
  {
    area: "options",
    name: "--folds 1 (cv)",
    args: ["cv", "data.csv", "--folds", "1", "--quiet", "--out", "old"],
    expect: ["--folds"],
  },
  {
    area: "options",
    name: "--top 0 (predict)",
    model: "cnn",
    args: [...PREDICT_IMAGE, "--top", "0"],
    expect: ["--top"],
  },
  {
    area: "options",
    name: "--keep names no column (predict)",
    model: "dense",
    args: [...PREDICT, "--keep", "nope"],
    expect: ['--keep column "nope"'],
  },

  {
    area: "options",
    name: "--hidden too wide to allocate",
    args: [...FIT, "--hidden", "100000000"],
    expect: ["hiddenUnits 100000000", "use smaller --hidden"],
  },
  {
    area: "options",
    name: "--out under a file",
    setup: writeFile("afile", "x"),
    args: ["fit", "data.csv", "--epochs", "1", "--quiet", "--out", "afile/model"],
    expect: ["--out afile/model:", "afile is a file, so no folder can be made there"],
  },
  {
    area: "options",
    name: "predict --out under a file",
    model: "dense",
    setup: writeFile("afile", "x"),
    args: ["predict", "model", "data.csv", "--out", "afile/pred.csv"],
    expect: ["--out afile/pred.csv:", "afile is a file, so no folder can be made there"],
  },

  // ---- model directories: every file damaged in turn ----
  {
    area: "model-dir",
    name: "directory missing",
    args: PREDICT,
    expect: ["model: model directory not found"],
  },
  {
    area: "model-dir",
    name: "strata.json missing",
    model: "dense",
    setup: removeFile("strata.json"),
    args: PREDICT,
    expect: ["model", "strata.json"],
  },
  {
    area: "model-dir",
    name: "strata.json empty",
    model: "dense",
    setup: emptyFile("strata.json"),
    args: PREDICT,
    expect: ["model/strata.json", "empty"],
  },
  {
    area: "model-dir",
    name: "strata.json garbage",
    model: "dense",
    setup: garbageFile("strata.json"),
    args: PREDICT,
    expect: ["model/strata.json", "not valid JSON"],
  },
  {
    area: "model-dir",
    name: "strata.json is a list",
    model: "dense",
    setup: writeFile("model/strata.json", "[1,2]"),
    args: PREDICT,
    expect: ["model/strata.json", "a list"],
  },
  {
    area: "model-dir",
    name: "strata.json classes not names",
    model: "dense",
    setup: editJson("strata.json", (j) => {
      j.classes = 3;
    }),
    args: PREDICT,
    expect: ["model/strata.json", '"classes"'],
  },
  {
    area: "model-dir",
    name: "strata.json one class",
    model: "dense",
    setup: editJson("strata.json", (j) => {
      j.classes = ["0"];
    }),
    args: PREDICT,
    expect: ["model/strata.json", "at least two"],
  },
  {
    area: "model-dir",
    name: "strata.json params not an object",
    model: "dense",
    setup: editJson("strata.json", (j) => {
      j.params = "fast";
    }),
    args: PREDICT,
    expect: ["model/strata.json", '"params"'],
  },
  {
    area: "model-dir",
    name: "strata.json classes disagree with the network",
    model: "dense",
    setup: editJson("strata.json", (j) => {
      j.classes = ["0", "1", "2"];
    }),
    args: PREDICT,
    expect: ["model", "3 classes", "1 output"],
  },
  {
    area: "model-dir",
    name: "strata.json unknown kind",
    model: "dense",
    setup: editJson("strata.json", (j) => {
      j.kind = "forest";
    }),
    args: PREDICT,
    expect: ['unknown model kind "forest"'],
  },
  {
    area: "model-dir",
    name: "strata.json from a newer strata",
    model: "dense",
    setup: editJson("strata.json", (j) => {
      j.format = 99;
    }),
    args: PREDICT,
    expect: ["newer strata", "upgrade"],
  },
  {
    area: "model-dir",
    name: "model.json missing",
    model: "dense",
    setup: removeFile("model.json"),
    args: PREDICT,
    expect: ["model", "missing model.json"],
  },
  {
    area: "model-dir",
    name: "model.json empty",
    model: "dense",
    setup: emptyFile("model.json"),
    args: PREDICT,
    expect: ["model/model.json", "empty"],
  },
  {
    area: "model-dir",
    name: "model.json garbage",
    model: "dense",
    setup: garbageFile("model.json"),
    args: PREDICT,
    expect: ["model/model.json", "not valid JSON"],
  },
  {
    area: "model-dir",
    name: "model.json weightsManifest wrong type",
    model: "dense",
    setup: editJson("model.json", (j) => {
      j.weightsManifest = { paths: "weights.bin" };
    }),
    args: PREDICT,
    expect: ["model/model.json", '"weightsManifest"'],
  },
  {
    area: "model-dir",
    name: "model.json topology damaged",
    model: "dense",
    setup: editJson("model.json", (j) => {
      j.modelTopology = { class_name: "Sequential", config: { layers: "none" } };
    }),
    args: PREDICT,
    expect: ["model/model.json", "cannot build the network"],
  },
  {
    area: "model-dir",
    name: "model.json weight shape disagrees with the topology",
    model: "dense",
    setup: editJson("model.json", (j) => {
      const specs = (j.weightsManifest as { weights: { shape: number[] }[] }[])[0].weights;
      specs[0].shape = [16, 64]; // same byte count, wrong shape
    }),
    args: PREDICT,
    expect: ["model/model.json", "cannot build the network"],
  },
  {
    area: "model-dir",
    name: "weights.bin missing",
    model: "dense",
    setup: removeFile("weights.bin"),
    args: PREDICT,
    expect: ["model", "weights.bin"],
  },
  {
    area: "model-dir",
    name: "weights.bin empty",
    model: "dense",
    setup: emptyFile("weights.bin"),
    args: PREDICT,
    expect: ["model/weights.bin", "truncated", "has 0 bytes", `expects ${DENSE_WEIGHT_BYTES}`],
  },
  {
    area: "model-dir",
    name: "weights.bin truncated",
    model: "dense",
    setup: truncateFile("weights.bin", 1000),
    args: PREDICT,
    expect: ["model/weights.bin", "truncated", "has 1000 bytes", `expects ${DENSE_WEIGHT_BYTES}`],
  },
  {
    area: "model-dir",
    name: "weights.bin too long",
    model: "dense",
    setup: (d) => writeFileSync(join(d, "model/weights.bin"), Buffer.alloc(8), { flag: "a" }),
    args: PREDICT,
    expect: ["model/weights.bin", "too long", `has ${DENSE_WEIGHT_BYTES + 8} bytes`],
  },
  {
    area: "model-dir",
    name: "weights.bin holds NaN",
    model: "dense",
    setup: poisonWeight(Number.NaN, 5),
    args: PREDICT,
    expect: ["model/weights.bin", 'weight "hidden_1/kernel"', "NaN at index 5"],
  },
  {
    area: "model-dir",
    name: "weights.bin holds Infinity in the output layer",
    model: "dense",
    setup: poisonWeight(Number.POSITIVE_INFINITY, DENSE_WEIGHT_BYTES / 4 - 1),
    args: PREDICT,
    expect: ["model/weights.bin", 'weight "output/bias"', "Infinity"],
  },
  {
    area: "model-dir",
    name: "weights.bin garbage of the right length",
    model: "dense",
    setup: (d) => writeFileSync(join(d, "model/weights.bin"), Buffer.alloc(DENSE_WEIGHT_BYTES, 0xff)),
    args: PREDICT,
    expect: ["model/weights.bin", "NaN"],
  },
  {
    area: "model-dir",
    name: "evaluate with a truncated weights.bin",
    model: "dense",
    setup: truncateFile("weights.bin", 2000),
    args: ["evaluate", "model", "data.csv"],
    expect: ["model/weights.bin", "truncated", "has 2000 bytes"],
  },
  {
    area: "model-dir",
    name: "preprocess.json missing",
    model: "dense",
    setup: removeFile("preprocess.json"),
    args: PREDICT,
    expect: ["model", "preprocess.json"],
  },
  {
    area: "model-dir",
    name: "preprocess.json empty",
    model: "dense",
    setup: emptyFile("preprocess.json"),
    args: PREDICT,
    expect: ["model/preprocess.json", "empty"],
  },
  {
    area: "model-dir",
    name: "preprocess.json garbage",
    model: "dense",
    setup: garbageFile("preprocess.json"),
    args: PREDICT,
    expect: ["model/preprocess.json", "not valid JSON"],
  },
  {
    area: "model-dir",
    name: "preprocess.json mean not a number",
    model: "dense",
    setup: editJson("preprocess.json", (j) => {
      (j.numeric as Record<string, unknown>[])[0].mean = "x";
    }),
    args: PREDICT,
    expect: ["model/preprocess.json", 'column "pregnancies"', 'mean is "x"'],
  },
  {
    area: "model-dir",
    name: "preprocess.json scale null (JSON of NaN)",
    model: "dense",
    setup: editJson("preprocess.json", (j) => {
      (j.numeric as Record<string, unknown>[])[2].std = null;
    }),
    args: PREDICT,
    expect: ["model/preprocess.json", 'column "blood_pressure"', "std is null"],
  },
  {
    area: "model-dir",
    name: "preprocess.json scale 0",
    model: "dense",
    setup: editJson("preprocess.json", (j) => {
      (j.numeric as Record<string, unknown>[])[1].std = 0;
    }),
    args: PREDICT,
    expect: ["model/preprocess.json", 'column "glucose"', "std is 0"],
  },
  {
    area: "model-dir",
    name: "preprocess.json numeric not a list",
    model: "dense",
    setup: editJson("preprocess.json", (j) => {
      j.numeric = {};
    }),
    args: PREDICT,
    expect: ["model/preprocess.json", '"numeric" is not a list'],
  },
  {
    area: "model-dir",
    name: "preprocess.json one column short",
    model: "dense",
    setup: editJson("preprocess.json", (j) => {
      (j.numeric as unknown[]).pop();
    }),
    args: PREDICT,
    expect: ["model", "preprocess.json", "7 input columns", "takes 8"],
  },
  {
    area: "model-dir",
    name: "schema.json missing",
    model: "dense",
    setup: removeFile("schema.json"),
    args: PREDICT,
    expect: ["model", "schema.json"],
  },
  {
    area: "model-dir",
    name: "schema.json garbage",
    model: "dense",
    setup: garbageFile("schema.json"),
    args: PREDICT,
    expect: ["model/schema.json", "not valid JSON"],
  },
  {
    area: "model-dir",
    name: "schema.json features wrong type",
    model: "dense",
    setup: editJson("schema.json", (j) => {
      j.features = "all";
    }),
    args: PREDICT,
    expect: ["model/schema.json", '"features"'],
  },
  {
    area: "model-dir",
    name: "schema.json names other columns than preprocess.json",
    model: "dense",
    setup: editJson("schema.json", (j) => {
      (j.features as { name: string }[])[0].name = "pregnant";
    }),
    args: PREDICT,
    expect: ["model", "schema.json", "preprocess.json", "pregnant"],
  },
  {
    area: "model-dir",
    name: "xgboost.json missing",
    model: "xgboost",
    setup: removeFile("xgboost.json"),
    args: PREDICT,
    expect: ["model", "xgboost.json"],
  },
  {
    area: "model-dir",
    name: "xgboost.json empty",
    model: "xgboost",
    setup: emptyFile("xgboost.json"),
    args: PREDICT,
    expect: ["model/xgboost.json", "empty"],
  },
  {
    area: "model-dir",
    name: "xgboost.json truncated",
    model: "xgboost",
    setup: truncateFile("xgboost.json", 300),
    args: PREDICT,
    expect: ["model/xgboost.json", "XGBoost cannot load it"],
  },
  {
    area: "model-dir",
    name: "xgboost.json garbage",
    model: "xgboost",
    setup: garbageFile("xgboost.json"),
    args: PREDICT,
    expect: ["model/xgboost.json"],
  },
  {
    area: "model-dir",
    name: "xgboost preprocess.json one column short",
    model: "xgboost",
    setup: editJson("preprocess.json", (j) => {
      (j.numeric as unknown[]).pop();
    }),
    args: PREDICT,
    expect: ["model", "7 input columns", "takes 8"],
  },
  {
    area: "model-dir",
    name: "image model's weights.bin truncated",
    model: "cnn",
    setup: truncateFile("weights.bin", 4096),
    args: PREDICT_IMAGE,
    expect: ["model/weights.bin", "truncated", "has 4096 bytes", "expects"],
  },
  {
    area: "model-dir",
    name: "image model's model.json garbage",
    model: "cnn",
    setup: garbageFile("model.json"),
    args: PREDICT_IMAGE,
    expect: ["model/model.json", "not valid JSON"],
  },
  {
    area: "model-dir",
    name: "image model's weights.bin holds NaN",
    model: "cnn",
    setup: poisonWeight(Number.NaN, 0),
    args: PREDICT_IMAGE,
    expect: ["model/weights.bin", "NaN at index 0"],
  },

  {
    area: "model-dir",
    name: "image model's strata.json image size disagrees with the network",
    model: "cnn",
    setup: editJson("strata.json", (j) => {
      (j.params as Record<string, unknown>).size = [32, 32];
    }),
    args: PREDICT_IMAGE,
    expect: ["model", "32x32x3", "takes 16x16x3"],
  },
  {
    area: "model-dir",
    name: "image model's pixel scaling null",
    model: "cnn",
    setup: editJson("strata.json", (j) => {
      (j.params as Record<string, unknown>).scaling = null;
    }),
    args: PREDICT_IMAGE,
    expect: ["model/strata.json: damaged params", "scaling"],
  },
  {
    area: "model-dir",
    name: "strata.json params of the wrong type",
    model: "dense",
    setup: editJson("strata.json", (j) => {
      (j.params as Record<string, unknown>).hiddenUnits = "wide";
    }),
    args: PREDICT,
    expect: ["model/strata.json: damaged params", "hiddenUnits"],
  },

  // ---- image folders ----
  {
    area: "images",
    name: "class folders without images",
    setup: (d) => {
      mkdirSync(join(d, "empty/a"), { recursive: true });
      mkdirSync(join(d, "empty/b"), { recursive: true });
    },
    args: ["fit", "empty", "--epochs", "1", "--quiet", "--out", "old"],
    expect: ["empty"],
  },
  {
    area: "images",
    name: "one class folder",
    setup: (d) => {
      mkdirSync(join(d, "one"));
      cpSync(join(d, "images/frog"), join(d, "one/frog"), { recursive: true });
    },
    args: ["fit", "one", "--epochs", "1", "--quiet", "--out", "old"],
    expect: ["one", /class/],
  },
  {
    area: "images",
    name: "predict an image that is not one",
    model: "cnn",
    setup: writeFile("fake.jpg", "not a jpeg at all"),
    args: ["predict", "model", "fake.jpg", "--out", "pred.csv"],
    expect: ["fake.jpg"],
  },
  {
    area: "images",
    name: "predict a zero-byte image",
    model: "cnn",
    setup: writeFile("zero.png", ""),
    args: ["predict", "model", "zero.png", "--out", "pred.csv"],
    expect: ["zero.png"],
  },
  {
    area: "images",
    name: "predict an image file that does not exist",
    model: "cnn",
    args: ["predict", "model", "nowhere.jpg", "--out", "pred.csv"],
    expect: ["nowhere.jpg"],
  },
  {
    area: "images",
    name: "an image model given a CSV",
    model: "cnn",
    args: PREDICT,
    expect: ["data.csv"],
  },
  {
    area: "images",
    name: "a table model given image files",
    model: "dense",
    args: PREDICT_IMAGE,
    expect: ["images/frog"],
  },
  // Ensembles: a model directory of model directories, and their options.
  {
    area: "model-dir",
    name: "ensemble.json missing",
    model: "stack",
    setup: removeFile("ensemble.json"),
    args: PREDICT,
    expect: ["model", "ensemble.json"],
  },
  {
    area: "model-dir",
    name: "an ensemble member's directory missing",
    model: "stack",
    setup: (dir) => rmSync(join(dir, "model", "members", "2-xgboost_shallow"), { recursive: true }),
    args: PREDICT,
    expect: ["member 2 (xgboost:shallow)", "is missing"],
  },
  {
    area: "model-dir",
    name: "an ensemble member's file garbage",
    model: "stack",
    setup: writeFile("model/members/1-logistic/logistic.json", "garbage\n"),
    args: PREDICT,
    expect: ["member 1 (logistic)", "logistic.json", "not valid JSON"],
  },
  {
    area: "model-dir",
    name: "a stack's meta-model missing",
    model: "stack",
    setup: (dir) => rmSync(join(dir, "model", "meta"), { recursive: true }),
    args: PREDICT,
    expect: ["the meta-model in", "cannot be loaded"],
  },
  {
    area: "model-dir",
    name: "ensemble.json lists fewer members than the params",
    model: "stack",
    setup: editJson("ensemble.json", (j) => {
      j.members = (j.members as unknown[]).slice(0, 1);
    }),
    args: PREDICT,
    expect: ["ensemble.json", "lists 1 members, the ensemble's params 2"],
  },
  {
    area: "options",
    name: "--votes on a model that is not an ensemble",
    model: "dense",
    args: ["predict", "model", "data.csv", "--votes"],
    expect: ["--votes shows an ensemble's members' votes", "dense model"],
  },
  {
    area: "options",
    name: "--weights not one per member",
    args: [
      "fit",
      "data.csv",
      "--model",
      "vote",
      "--members",
      "logistic,xgboost",
      "--weights",
      "1,2,3",
      "--quiet",
      "--out",
      "old",
    ],
    expect: ["weights must be one number per member (2)", "[1,2,3]"],
  },
  {
    area: "options",
    name: "an unknown ensemble member",
    args: ["fit", "data.csv", "--model", "stack", "--members", "dense,forest", "--out", "old"],
    expect: ['unknown member "forest"', "xgboost:shallow"],
  },
];

before(async () => {
  root = mkdtempSync(join(tmpdir(), "strata-sweep-"));
  writeFileSync(join(root, "data.csv"), syntheticPima(PIMA_ROWS));
  await syntheticImages(join(root, "images"), 10);
  const fits: [Fixture, string[], NodeJS.ProcessEnv][] = [
    ["dense", ["fit", "data.csv", "--epochs", "2", "--quiet", "--out", "fixture-dense"], {}],
    [
      "xgboost",
      ["fit", "data.csv", "--model", "xgboost", "--epochs", "3", "--quiet", "--out", "fixture-xgboost"],
      {},
    ],
    [
      "stack",
      [
        "fit",
        "data.csv",
        "--model",
        "stack",
        "--members",
        "logistic,xgboost:shallow",
        "--jobs",
        "1",
        "--quiet",
        "--out",
        "fixture-stack",
      ],
      {},
    ],
    // The WASM backend lacks the kernels that train convolutions: the default backend fits the CNN.
    [
      "cnn",
      ["fit", "images", "--epochs", "1", "--size", "16", "--quiet", "--out", "fixture-cnn"],
      { STRATA_BACKEND: "" },
    ],
  ];
  await Promise.all(
    fits.map(async ([name, args, env]) => {
      const r = await runCliAsync(args, root, env);
      assert.equal(r.status, 0, `fixture ${name}: ${r.stderr}`);
      fixtures[name] = join(root, `fixture-${name}`);
    }),
  );
});

after(() => rmSync(root, { recursive: true, force: true }));

it("the sweep has at least 40 rows across CSV input, options, model directories and image folders", () => {
  for (const area of ["csv", "options", "model-dir", "images"] as const)
    assert.ok(ROWS.filter((r) => r.area === area).length >= 5, `at least 5 rows of ${area}`);
  assert.ok(ROWS.length >= 40, `${ROWS.length} rows`);
  assert.equal(new Set(ROWS.map((r) => r.name)).size, ROWS.length, "row names are unique");
});

describe("damaged input sweep", { concurrency: 2 }, () => {
  ROWS.forEach((row, i) => {
    it(`${row.area}: ${row.name}`, async () => {
      const dir = join(root, `case-${i}`);
      mkdirSync(dir);
      try {
        cpSync(join(root, "data.csv"), join(dir, "data.csv"));
        cpSync(join(root, "images"), join(dir, "images"), { recursive: true });
        cpSync(fixtures.dense!, join(dir, "old"), { recursive: true }); // what --out would replace
        if (row.model) cpSync(fixtures[row.model]!, join(dir, "model"), { recursive: true });
        row.setup?.(dir);
        const before = snapshot(dir);
        const r = await runCliAsync(row.args, dir);
        assertRefused(r, row.expect);
        assertSameTree(before, snapshot(dir), "nothing written, nothing lost");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
