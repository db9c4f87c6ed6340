/**
 * Library messages name options as the API spells them (`group`, `drop: ["b"]`); the CLI shows
 * the ones a StrataError lists in its `params` as its flags (--group, --drop b), and nothing else.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { useBackend } from "../src/backend.js";
import { apiFlags, cliMessage, cliNote, inCliTerms } from "../src/cli/flag-names.js";
import type { RawTable } from "../src/data/csv.js";
import { inferSchema } from "../src/data/schema.js";
import { toDataset } from "../src/data/tabular.js";
import { decodeCsvBytes } from "../src/data/text.js";
import { StrataError } from "../src/errors.js";
import { loadBackbone } from "../src/models/transfer/backbone.js";
import { requireClassesInTraining } from "../src/split/training-classes.js";
import { loadCsvDataset } from "../src/workflow/dataset.js";

function table(text: string, delimiter = ","): RawTable {
  const [head, ...body] = text.trim().split("\n");
  return {
    file: "t.csv",
    columns: head.split(delimiter),
    rows: body.map((l) => l.split(delimiter)),
    lines: body.map((_, i) => i + 2),
    delimiter,
  };
}

/** The StrataError `f` throws. */
function refusal(f: () => unknown): StrataError {
  try {
    f();
  } catch (e) {
    if (e instanceof StrataError) return e;
    throw e;
  }
  assert.fail("expected a StrataError");
}

/** `f`'s message for a program, then as the CLI prints it. */
function assertTerms(f: () => unknown, library: string | RegExp, cli: string | RegExp): void {
  const e = refusal(f);
  if (typeof library === "string") assert.ok(e.message.includes(library), e.message);
  else assert.match(e.message, library);
  const printed = cliMessage(e);
  if (typeof cli === "string") assert.ok(printed.includes(cli), printed);
  else assert.match(printed, cli);
  assert.doesNotMatch(printed, /`/, "no API name is left in the CLI's text");
}

test("inferSchema and toDataset name their options; the CLI names its flags", () => {
  const t = table("a,b,y\n1,,x\n2,,z\n3,,x\n");
  assertTerms(
    () => inferSchema(t, { target: "y", group: "y", drop: ["b"] }),
    't.csv: `group` "y" is the target column; group by another column',
    't.csv: --group "y" is the target column; group by another column',
  );
  assertTerms(
    () => inferSchema(t, { target: "y", features: ["a", "y"] }),
    't.csv: `features` lists "y", the target column',
    't.csv: --features lists "y", the target column',
  );
  assertTerms(
    () => inferSchema(t, { target: "y" }),
    'all 3 values are missing; drop it with `drop: ["b"]`',
    "all 3 values are missing; drop it with --drop b",
  );
  assertTerms(
    () => inferSchema(t, { target: "y", group: "who" }),
    't.csv: `group` column "who" not found',
    't.csv: --group column "who" not found',
  );
  const mostly = table(
    `n,y\n${Array.from({ length: 20 }, (_, i) => `${i === 3 ? "x" : i},${i % 2}`).join("\n")}\n`,
  );
  assertTerms(
    () => inferSchema(mostly, { target: "y" }),
    'or pass `categorical: ["n"]` to treat the column as categories',
    "or pass --categorical n to treat the column as categories",
  );
  const schema = inferSchema(table("a,y\n1,p\n2,q\n"), { target: "y" });
  assertTerms(
    () => toDataset(table("a,y\n1,p\n1e999,q\n"), schema),
    'fix the value, or fit with `nonFinite: "missing"` to treat such values as missing',
    "fix the value, or fit with --non-finite missing to treat such values as missing",
  );
});

test("another delimiter's file: the delimiter as the API writes it, and as the shell does", () => {
  assertTerms(
    () => inferSchema(table("a;b;y\n1;2;x\n", ","), { target: "a;b;y" }),
    "the header has ';' between names; use `delimiter: \";\"`",
    "the header has ';' between names; use --delimiter ';'",
  );
  assertTerms(
    () => inferSchema(table("a\tb\ty\n1\t2\tx\n", ","), { target: "y" }),
    /target column "y" not found; .*\(the header has tab between names; use `delimiter: "\\t"`\)/,
    /target column "y" not found; .*\(the header has tab between names; use --delimiter '\\t'\)/,
  );
});

test("readCsv's encoding, the split's seed", () => {
  const latin1 = Buffer.from("x\ncafé\n", "latin1");
  assertTerms(
    () => decodeCsvBytes("l.csv", latin1),
    'read it with `encoding: "latin1"`',
    "read it with --encoding latin1",
  );
  const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("x\n1\n")]);
  assertTerms(
    () => decodeCsvBytes("b.csv", bom, "latin1"),
    'so it is UTF-8 text: leave out `encoding: "latin1"`',
    "so it is UTF-8 text: leave out --encoding latin1",
  );
  assertTerms(
    () =>
      requireClassesInTraining(["a", "a", "b", "b"], [{ train: [0, 1], test: [2, 3] }], {
        what: "the hold-out split",
        groups: ["g1", "g1", "g2", "g2"],
        groupedBy: "--group who",
      }),
    'by --group who would train without class "b"',
    /a class needs rows in at least 2 groups, and then another --seed may keep some in training$/,
  );
});

test("only the listed names, only in code spans, become flags", () => {
  const text = 'data.csv: `group` "g" is the target column; group by another column; `features` stay';
  assert.equal(
    inCliTerms(text, ["group"]),
    'data.csv: --group "g" is the target column; group by another column; `features` stay',
  );
  assert.equal(inCliTerms(text, []), text, "a message without params is printed as it is");
  assert.equal(
    inCliTerms("`unknownName` and `group`", ["unknownName", "group"]),
    "`unknownName` and --group",
  );
  // Values: lists comma-separated, a backquote inside a JSON string, a value that is not JSON.
  assert.equal(
    inCliTerms('`drop: ["a","b"]` then `kind: "transfer"`', ["drop", "kind"]),
    "--drop a,b then --model transfer",
  );
  assert.equal(inCliTerms('use `drop: ["a`b"]`', ["drop"]), "use --drop a`b");
  assert.equal(inCliTerms("use `drop: nope`", ["drop"]), "use `drop: nope`");
  assert.equal(inCliTerms('`delimiter: "|"`', ["delimiter"]), "--delimiter '|'");
});

test("a transfer backbone's cut: `cutAt` and `size`, as --cut-at and --size", async () => {
  await useBackend();
  const refused = async (cutAt: string) => {
    try {
      await loadBackbone("darknet-tiny", cutAt, [32, 32]);
    } catch (e) {
      if (e instanceof StrataError) return e;
      throw e;
    }
    assert.fail(`cut at ${cutAt}: expected a StrataError`);
  };
  const unknown = await refused("conv2d_99");
  assert.match(unknown.message, /^`cutAt`: no layer named "conv2d_99"; did you mean "conv2d_9"\?/);
  assert.match(cliMessage(unknown), /^--cut-at: no layer named "conv2d_99"; did you mean "conv2d_9"\?/);
  const flat = await refused("global_average_pooling2d_1");
  assert.match(
    flat.message,
    /not a feature map; choose a convolutional layer \(`cutAt`\) or a larger `size`$/,
  );
  assert.match(
    cliMessage(flat),
    /not a feature map; choose a convolutional layer \(--cut-at\) or a larger --size$/,
  );
});

test("notes and the reasons a column is dropped: the options they name, as flags", () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i % 3};${i % 2 ? "p" : "q"};${i % 2 ? "yes" : "no"}`);
  const file = join(mkdtempSync(join(tmpdir(), "strata-notes-")), "semi.csv");
  writeFileSync(file, `n;leak;y\n${rows.join("\n")}\n`);
  const data = loadCsvDataset(file, { target: "y" });
  const detected = data.notes.find((n) => n.includes("separated by"));
  assert.equal(detected, `${file}: fields separated by ';' (detected; \`delimiter\` sets it)`);
  assert.equal(cliNote(detected), `${file}: fields separated by ';' (detected; --delimiter sets it)`);
  const leak = data.schema.dropped.find((d) => d.name === "leak")?.reason ?? "";
  assert.match(leak, /^leaks the target .*; keep it with `features`$/);
  assert.match(cliNote(leak), /; keep it with --features$/);
  rmSync(dirname(file), { recursive: true });
});

test("every flag in the table is an option of the CLI", async () => {
  // Imported here: the whole CLI (every command and model) loads with it.
  const { buildProgram } = await import("../src/cli/main.js");
  const program = buildProgram();
  const flags = new Set(
    [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)].flatMap((c) =>
      c.options.map((o) => o.long),
    ),
  );
  for (const [name, flag] of apiFlags())
    assert.ok(flags.has(flag), `${name}: ${flag} is no option of strata`);
});
