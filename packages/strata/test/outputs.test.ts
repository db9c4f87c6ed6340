// The output-path rule: every path a command writes (fit/cv/compare --out, --checkpoint, --cache,
// predict --out, export --out) is checked before any work starts, and strata never replaces or writes into
// what it did not write. A sandbox (data, images, unrelated files, strata folders of each sort)
// is hit with every output option of every command against every place a user could mistype;
// each run is refused with one line before reading the data, and the sandbox is byte-identical
// afterwards.
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, test } from "node:test";
import { Frame } from "../src/data/frame.js";
import { LogisticRegression } from "../src/estimators/logistic.js";
import { saveModelDir } from "../src/workflow/model-dir.js";
import { linesOf, runCli, tempDir } from "./helpers/cli.js";
import {
  assertRefused,
  assertSameTree,
  runCliAsync,
  snapshot,
  syntheticImages,
  syntheticPima,
} from "./helpers/sweep.js";

let root: string;
/** The sandbox's working folder: the commands run here. */
let cwd: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), "strata-outputs-"));
  cwd = join(root, "project");
  mkdirSync(join(cwd, "data"), { recursive: true });
  writeFileSync(join(cwd, "data", "data.csv"), syntheticPima(120));
  await syntheticImages(join(cwd, "data", "images"), 4);
  writeFileSync(join(cwd, "notes.txt"), "a file of the user's\n");
  mkdirSync(join(cwd, "docs"));
  writeFileSync(join(cwd, "docs", "plan.md"), "# the user's folder\n");
  writeFileSync(join(root, "beside.txt"), "a file in the parent folder\n");
  const fixtures = [
    ["fit", "data/data.csv", "--model", "xgboost", "--epochs", "3", "--quiet", "--out", "model"],
    [
      "cv",
      "data/data.csv",
      "--model",
      "xgboost",
      "--epochs",
      "3",
      "--folds",
      "2",
      "--quiet",
      "--out",
      "report",
    ],
  ];
  for (const args of fixtures) {
    const r = await runCliAsync(args, cwd);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
  }
});

after(() => rmSync(root, { recursive: true, force: true }));

/** Places a user could mistype for an output, each named for the test's title. */
const PLACES: Readonly<Record<string, string>> = {
  "the current folder": ".",
  "its parent": "..",
  "the data's folder": "data",
  "the data file": "data/data.csv",
  "an unrelated file": "notes.txt",
  "an unrelated non-empty folder": "docs",
  "a path inside a model directory": "model/inside",
};

interface OutputCase {
  readonly name: string;
  /** The command line with the output path in place of OUT. */
  readonly args: readonly string[];
  /** A strata folder of another sort than this output writes. */
  readonly otherSort: string;
}

const OUT = "OUT";
const CASES: readonly OutputCase[] = [
  { name: "fit --out", args: ["fit", "data/data.csv", "--epochs", "1", "--out", OUT], otherSort: "report" },
  {
    name: "fit --checkpoint",
    args: ["fit", "data/data.csv", "--epochs", "1", "--checkpoint", OUT],
    otherSort: "model",
  },
  {
    name: "fit --cache",
    args: ["fit", "data/images", "--epochs", "1", "--size", "16", "--cache", OUT],
    otherSort: "model",
  },
  { name: "cv --out", args: ["cv", "data/data.csv", "--epochs", "1", "--out", OUT], otherSort: "model" },
  {
    name: "cv --cache",
    args: ["cv", "data/images", "--epochs", "1", "--size", "16", "--cache", OUT],
    otherSort: "model",
  },
  {
    name: "compare --out",
    args: ["compare", "data/images", "--epochs", "1", "--size", "16", "--out", OUT],
    otherSort: "model",
  },
  {
    name: "compare --cache",
    args: ["compare", "data/images", "--epochs", "1", "--size", "16", "--cache", OUT],
    otherSort: "model",
  },
  { name: "predict --out", args: ["predict", "model", "data/data.csv", "--out", OUT], otherSort: "report" },
  { name: "export --out", args: ["export", "model", "--to", "onnx", "--out", OUT], otherSort: "report" },
];

describe("every output option against every place that is not strata's to write", { concurrency: 4 }, () => {
  const runs = CASES.flatMap((c) =>
    Object.entries({ ...PLACES, "a strata folder of another sort": c.otherSort }).map(([place, path]) => ({
      title: `${c.name} ${path}: ${place}`,
      args: c.args.map((a) => (a === OUT ? path : a)),
      flag: c.args[c.args.indexOf(OUT) - 1],
      path,
    })),
  );
  it("covers 9 output options × 8 places", () => assert.equal(runs.length, 72));
  for (const run of runs)
    it(`${run.title} is refused before any work, naming the option and the path`, async () => {
      const before = snapshot(root);
      // Not --quiet: a note about the data would show that it was read before the refusal.
      const r = await runCliAsync(run.args, cwd);
      assertRefused(r, [`${run.flag} ${run.path}:`]);
      assertSameTree(before, snapshot(root), "nothing in the sandbox changed");
    });
});

test("the refusals say why, in one line each", () => {
  const refusal = (args: string[]) => linesOf(runCli(args, cwd).stderr).join("\n");
  const fit = (out: string) => refusal(["fit", "data/data.csv", "--out", out]);
  assert.match(fit("."), /--out \.: is the current folder; give a new folder for the model directory$/);
  assert.match(fit(".."), /is a folder that holds the current folder/);
  assert.match(fit("data"), /--out data: holds the input data\/data\.csv/);
  assert.match(fit("data/data.csv"), /is the input data\/data\.csv/);
  assert.match(fit("docs"), /is a folder strata did not write \(it holds plan\.md\)/);
  assert.match(fit("notes.txt"), /is a file, not a folder/);
  assert.match(fit("report"), /is a report folder, not a model directory/);
  assert.match(fit("model/inside"), /lies inside model, a model directory strata wrote/);
  assert.match(fit(""), /--out "": an empty path/);
  assert.match(fit("notes.txt/model"), /notes\.txt is a file, so no folder can be made there/);
  assert.match(fit("/proc/self/model"), /cannot write in \S+ \(not permitted\)/);
  assert.match(
    refusal(["cv", "data/data.csv", "--out", "model"]),
    /--out model: is a model directory, not a report folder/,
  );
  assert.match(
    refusal(["fit", "data/images", "--cache", "data/images/cache"]),
    /--cache data\/images\/cache: lies inside the input folder data\/images/,
  );
  assert.match(
    refusal(["fit", "data/data.csv", "--out", "m", "--checkpoint", "m"]),
    /--out m: is also --checkpoint m/,
  );
  assert.match(
    refusal(["fit", "data/data.csv", "--out", "m", "--checkpoint", "m/ck"]),
    /holds --checkpoint m\/ck/,
  );
  assert.match(
    refusal(["predict", "model", "data/data.csv", "--out", "notes.txt"]),
    /is a file strata did not write \(not a predictions CSV\)/,
  );
  assert.match(
    refusal(["predict", "model", "data/data.csv", "--out", "model/strata.json"]),
    /lies inside the input folder model/,
  );
  assert.match(
    refusal(["predict", "model", "data/data.csv", "--out", "docs"]),
    /is a folder; give a file name/,
  );
  assert.match(
    refusal(["export", "model", "--to", "onnx", "--out", "notes.txt"]),
    /--out notes\.txt: is a file strata did not write \(not an ONNX model strata exported\)/,
  );
});

test("what strata wrote it replaces: a model directory, a report folder, a predictions file, an ONNX file, a checkpoint folder", (t) => {
  const dir = tempDir(t, "strata-outputs-ok-");
  writeFileSync(join(dir, "data.csv"), syntheticPima(120));
  const ok = (args: string[]) => {
    const r = runCli([...args, "--quiet"], dir);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
  };
  mkdirSync(join(dir, "empty"));
  ok(["fit", "data.csv", "--model", "xgboost", "--epochs", "2", "--out", "empty"]);
  ok(["fit", "data.csv", "--model", "xgboost", "--epochs", "3", "--out", "empty"]);
  assert.equal(JSON.parse(readFileSync(join(dir, "empty", "strata.json"), "utf8")).params.nEstimators, 3);
  // An auto model's directory (its chosen model in chosen/) is strata's too.
  ok(["fit", "data.csv", "--model", "auto", "--out", "auto"]);
  ok(["fit", "data.csv", "--model", "auto", "--out", "auto"]);

  ok(["cv", "data.csv", "--model", "xgboost", "--epochs", "2", "--folds", "2", "--out", "cv"]);
  assert.equal(JSON.parse(readFileSync(join(dir, "cv", "strata-dir.json"), "utf8")).sort, "report");
  ok(["cv", "data.csv", "--model", "xgboost", "--epochs", "2", "--folds", "3", "--out", "cv"]);
  assert.equal(JSON.parse(readFileSync(join(dir, "cv", "metrics.json"), "utf8")).split.folds, 3);

  ok(["predict", "empty", "data.csv", "--out", "pred.csv"]);
  ok(["predict", "empty", "data.csv", "--keep", "age", "--out", "pred.csv"]);
  assert.match(readFileSync(join(dir, "pred.csv"), "utf8"), /^age,predicted_outcome,proba_0,proba_1\n/);

  ok(["export", "empty", "--to", "onnx", "--out", "model.onnx"]);
  ok(["export", "empty", "--to", "onnx", "--out", "model.onnx"]);

  ok(["fit", "data.csv", "--epochs", "2", "--checkpoint", "ck"]);
  assert.equal(JSON.parse(readFileSync(join(dir, "ck", "strata-dir.json"), "utf8")).sort, "checkpoints");
  ok(["fit", "data.csv", "--epochs", "2", "--checkpoint", "ck"]);
  // A checkpoint folder written before folders had manifests is still recognised.
  rmSync(join(dir, "ck", "strata-dir.json"));
  ok(["fit", "data.csv", "--epochs", "2", "--checkpoint", "ck", "--resume"]);
});

test("a model directory holding a file strata did not write is refused, and the file kept", (t) => {
  const dir = tempDir(t, "strata-outputs-foreign-");
  writeFileSync(join(dir, "data.csv"), syntheticPima(120));
  const fit = ["fit", "data.csv", "--model", "xgboost", "--epochs", "2", "--quiet", "--out", "model"];
  assert.equal(runCli(fit, dir).status, 0);
  writeFileSync(join(dir, "model", "my-notes.txt"), "keep me\n");
  const before = snapshot(dir);
  assertRefused(runCli(fit, dir), [
    "--out model: is a model directory, but it also holds my-notes.txt, which strata did not write",
  ]);
  assertSameTree(before, snapshot(dir), "the model and the note are as they were");
});

test("saveModelDir (the library's save) refuses to replace a folder that is not a model directory", async (t) => {
  const dir = tempDir(t, "strata-outputs-lib-");
  const target = join(dir, "mine");
  mkdirSync(target);
  writeFileSync(join(target, "thesis.tex"), "\\documentclass{article}\n");
  const x = Frame.fromColumns({ a: [0, 1, 2, 3, 4, 5], b: [1, 0, 1, 0, 1, 0] });
  const model = new LogisticRegression();
  await model.fit(x, ["n", "n", "n", "y", "y", "y"]);
  await assert.rejects(
    saveModelDir(target, { model }),
    /mine: is a folder strata did not write \(it holds thesis\.tex\)/,
  );
  assert.equal(readFileSync(join(target, "thesis.tex"), "utf8"), "\\documentclass{article}\n");
  await saveModelDir(join(dir, "new"), { model });
  assert.ok(existsSync(join(dir, "new", "strata.json")));
  // A copy of the report folder fixture is not a model directory either.
  cpSync(join(cwd, "report"), join(dir, "report"), { recursive: true });
  await assert.rejects(
    saveModelDir(join(dir, "report"), { model }),
    /is a report folder, not a model directory/,
  );
  model.dispose();
});
