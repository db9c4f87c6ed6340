/**
 * The command line's model options come from the kinds' descriptors (estimators/kinds.ts) and
 * nowhere else: every param with a flag is an option of `strata fit` (in its --help), each option
 * sets exactly the params that have its flag, --model takes every kind's name for the data (so
 * `--model logistic` works, as does the member `logistic`). Run `tsc -b packages/strata` first:
 * the CLI cases spawn the built bin/strata.js.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { modelName, modelTarget } from "../src/cli/model-choice.js";
import { TARGETS } from "../src/cli/model-targets.js";
import { longFlag } from "../src/cli/option-spec.js";
import { ENSEMBLE_OPTIONS, flagUses, PARAM_OPTIONS } from "../src/cli/param-options.js";
import { builtInKinds } from "../src/estimators/built-in-kinds.js";
import type { ParamSpec } from "../src/estimators/param-schema.js";
import { assertUserError, lastJson, runCli, tempDir, writeCsv } from "./helpers/cli.js";

/** Every param's flag's other spellings (ParamFlag.spellings: --no-augment, --epochs-head). */
function schemaSpellings(): string[] {
  return builtInKinds
    .names()
    .flatMap((kind) => Object.values(builtInKinds.kind(kind).params) as ParamSpec[])
    .flatMap((spec) => (spec.cli?.spellings ?? []).map((s) => longFlag(s.flags)));
}

/** Options that are not a param's flag: its other spellings, and --jobs (no param at all). */
const CLI_SPELLINGS = [...schemaSpellings(), "--jobs"];

/** The schema's own words on which data a param's flag applies to (all the kind takes, by default). */
function flagApplies(kind: string, param: string, t: (typeof TARGETS)[number]): boolean {
  const spec = Object.fromEntries(paramsWithFlags(kind))[param];
  return spec.cli?.data?.includes(t.data) ?? true;
}

/** A kind's params with a flag, then its regressor twin's whose flags the kind lacks (--loss). */
function paramsWithFlags(kind: string): [param: string, spec: ParamSpec][] {
  const own = (Object.entries(builtInKinds.kind(kind).params) as [string, ParamSpec][]).filter(
    ([, s]) => s.cli,
  );
  const flags = new Set(own.map(([, s]) => longFlag(s.cli?.flags ?? "")));
  const twin = (
    Object.entries(builtInKinds.kind(kind).regressor?.params ?? {}) as [string, ParamSpec][]
  ).filter(([, s]) => s.cli && !flags.has(longFlag(s.cli.flags)));
  return [...own, ...twin];
}

/** Every param with a flag: [kind, param, long flag]. */
function schemaFlags(): [kind: string, param: string, flag: string][] {
  return builtInKinds
    .names()
    .flatMap((kind) =>
      paramsWithFlags(kind).map(([param, spec]): [string, string, string] => [
        kind,
        param,
        longFlag(spec.cli?.flags ?? ""),
      ]),
    );
}

test("the param options are the schemas' flags, each setting the params that have it", () => {
  const options = [...PARAM_OPTIONS, ...ENSEMBLE_OPTIONS];
  const generated = options.map((o) => longFlag(o.flags)).filter((f) => !CLI_SPELLINGS.includes(f));
  const declared = [...new Set(schemaFlags().map(([, , flag]) => flag))];
  // A param given a flag in its schema is an option with no edit in cli/, and nothing else is.
  assert.deepEqual([...generated].sort(), [...declared].sort());
  assert.equal(new Set(generated).size, generated.length, "one option per flag");
  for (const [kind, param, flag] of schemaFlags()) {
    const option = options.find((o) => longFlag(o.flags) === flag);
    const targets = TARGETS.filter((t) => t.kind.name === kind && flagApplies(kind, param, t));
    for (const t of targets) {
      assert.ok(option?.targets.includes(t.id), `${flag} applies to ${t.id}`);
      assert.equal(option?.params?.[t.id], param, `${flag} sets ${kind}'s ${param}`);
    }
  }
  for (const option of options.filter((o) => !CLI_SPELLINGS.includes(longFlag(o.flags))))
    for (const id of option.targets) {
      const kind = TARGETS.find((t) => t.id === id)?.kind.name;
      assert.ok(
        schemaFlags().some(([k, , f]) => k === kind && f === longFlag(option.flags)),
        `${option.flags} applies to ${id} only if ${kind} has a param with that flag`,
      );
    }
});

test("kinds that share a flag spell it alike (one option: the first kind's flags and help)", () => {
  for (const [flag, uses] of flagUses()) {
    const spellings = new Set(uses.map((u) => `${u.cli.flags} | ${u.cli.help ?? u.spec.doc}`));
    assert.equal(spellings.size, 1, `${flag}: ${[...spellings].join(" / ")}`);
    assert.equal(
      new Set(uses.map((u) => typeof u.cli.parse)).size,
      1,
      `${flag}: parsed by every kind or none`,
    );
  }
});

test("--model: every kind's name for its data, aliases scoped by data, and --json's names as before", () => {
  const images = (model?: string) => modelTarget("folder", model, true);
  const table = (model?: string) => modelTarget("data.csv", model, false);
  assert.equal(table(), "table:dense");
  assert.equal(images(), "images:cnn");
  assert.equal(images("dense"), "images:image-dense");
  assert.equal(images("image-dense"), "images:image-dense");
  assert.equal(table("logistic"), "table:logistic");
  assert.equal(images("vote"), "images:vote");
  const names = (["dense", "xgboost", "logistic", "vote", "stack"] as const).map((m) => modelName(table(m)));
  assert.deepEqual(names, ["dense", "xgboost", "logistic", "vote", "stack"]);
  assert.deepEqual(
    [undefined, "dense", "cnn", "transfer", "stack"].map((m) => modelName(images(m))),
    ["cnn", "dense", "cnn", "transfer", "stack"],
  );
  assert.throws(
    () => images("xgboost"),
    /--model xgboost needs a CSV file; folder is a folder of images \(the models of image folders are cnn, dense, image-dense, transfer, vote and stack\)/,
  );
  assert.throws(
    () => table("image-dense"),
    /--model image-dense needs a folder of images; .*dense, xgboost, logistic, auto, vote and stack/,
  );
  assert.throws(
    () => table("forest"),
    /--model: unknown model "forest" for a CSV file; the models of CSV files are dense, xgboost, logistic, auto, vote and stack/,
  );
});

test("strata fit --help lists every param with a flag, with its defaults", (t) => {
  const r = runCli(["fit", "--help"], tempDir(t));
  assert.equal(r.status, 0, r.stderr);
  for (const [kind, param, flag] of schemaFlags())
    assert.match(r.stdout, new RegExp(`^ {2}${flag}\\b`, "m"), `${kind}'s ${param} (${flag})`);
  // Each option's help on one line, as commander wraps it at the terminal's width.
  const help = r.stdout.replace(/\s+/g, " ");
  assert.ok(help.includes("--model <kind> CSV files: dense (default), xgboost, logistic or auto;"), help);
  assert.ok(
    help.includes(
      "--epochs <n> most epochs (early stopping may end sooner); for xgboost, most boosting rounds (default: 200 for dense on CSV files; 15 for cnn, dense on images; 100 for transfer; 1000 for xgboost)",
    ),
    help,
  );
});

/** A small table a linear model separates: label "yes" when x + y > 0. */
function linearTable(rows = 80): string[] {
  const lines = ["x,y,label"];
  for (let i = 0; i < rows; i++) {
    const x = Math.sin(i * 1.7) * 2;
    const y = Math.cos(i * 0.9) * 2;
    lines.push(`${x.toFixed(3)},${y.toFixed(3)},${x + y > 0 ? "yes" : "no"}`);
  }
  return lines;
}

test("--model logistic fits a CSV file, --members dense,logistic votes; logistic takes only its own options", (t) => {
  const dir = tempDir(t);
  writeCsv(dir, "data.csv", linearTable());
  const fit = runCli(["fit", "data.csv", "--model", "logistic", "--class-weight", "balanced", "--json"], dir);
  assert.equal(fit.status, 0, fit.stderr);
  const json = lastJson(fit.stdout);
  assert.equal(json.model, "logistic");
  assert.equal((json.params as { classWeight: string }).classWeight, "balanced");
  assert.ok((json.accuracy as number) >= 0.8, `accuracy ${json.accuracy}`);

  const vote = runCli(
    ["fit", "data.csv", "--model", "vote", "--members", "dense,logistic", "--jobs", "1", "--json"],
    dir,
  );
  assert.equal(vote.status, 0, vote.stderr);
  const voted = lastJson(vote.stdout);
  assert.equal(voted.model, "vote");
  const members = voted.members as { name: string }[];
  assert.deepEqual(
    members.map((m) => m.name),
    ["dense", "logistic"],
  );

  assertUserError(runCli(["fit", "data.csv", "--model", "logistic", "--epochs", "3"], dir), [
    "--epochs does not apply to logistic regression (--model logistic)",
    "XGBoost (--model xgboost)",
  ]);
  assertUserError(runCli(["fit", "data.csv", "--model", "forest"], dir), [
    '--model: unknown model "forest" for a CSV file',
    "dense, xgboost, logistic, auto, vote and stack",
  ]);
});
