// strata export --to onnx of whole ensembles as one graph (issue 21): soft, hard and weighted
// votes, stacks with their meta-model, with passthrough, and nested (a stack whose members are a
// vote and a stack; a vote with a stack member), and a vote of two CNNs on the image input. Each
// graph, run by onnxruntime-node on the raw column values (the decoded pixels), gives the
// probabilities strata gives (in process: within 1e-5, a hard vote's bit for bit; and as
// `strata predict --votes --json` prints them), each top-level member's as an output
// vote/<name>, nested members' not; the file passes the ONNX checker.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type TestContext, test } from "node:test";
import * as ort from "onnxruntime-node";
import { useBackend } from "../src/backend.js";
import { readCsv } from "../src/data/csv.js";
import { csvReadOptions } from "../src/data/schema.js";
import { toFrame } from "../src/data/tabular.js";
import type { EnsembleClassifier } from "../src/estimators/ensemble.js";
import type { MemberVotes } from "../src/estimators/ensemble-types.js";
import type { EstimatorSpec } from "../src/estimators/estimator.js";
import { loadClassifier } from "../src/estimators/load.js";
import { StackingClassifier } from "../src/estimators/stacking.js";
import { VotingClassifier } from "../src/estimators/voting.js";
import { exportOnnx } from "../src/export/onnx-export.js";
import type { Matrix } from "../src/util/matrix.js";
import { loadModelDir } from "../src/workflow/model-dir.js";
import { noXGBoost } from "./helpers/addons.js";
import { runCli, tempDir } from "./helpers/cli.js";
import { sharedData } from "./helpers/data.js";
import { checkOnnx, csvFeeds, imagePixels, maxAbsDiff, PIMA, runOnnx } from "./helpers/onnx.js";

const CIFAR = sharedData("cifar10_jpg_subset");

/** Three classes from two numbers and a colour, with missing values of each kind. */
function syntheticRows(n: number): { x: number; y: number; colour: string | null; label: string }[] {
  const colours = ["red", "green", "blue", "grey"];
  return Array.from({ length: n }, (_, i) => {
    const x = ((i * 37) % 23) / 3;
    const y = ((i * 13) % 17) + 0.5;
    const colour = i % 7 === 0 ? null : colours[(i * 5) % 4];
    const score = x + (colour === "red" ? 3 : colour === "blue" ? -2 : 0) + (i % 5 === 0 ? 2 : 0);
    return {
      x: i % 6 === 0 ? Number.NaN : x,
      y: i % 9 === 0 ? Number.NaN : y,
      colour,
      label: score > 6 ? "high" : score > 3 ? "mid" : "low",
    };
  });
}

/** The synthetic rows as a CSV file (missing numbers blank, a missing colour "NA"), plus an unseen colour. */
function syntheticCsv(dir: string): string {
  const rows = syntheticRows(300);
  const cell = (v: number) => (Number.isNaN(v) ? "" : String(v));
  const lines = rows.map((r) => `${cell(r.x)},${cell(r.y)},${r.colour ?? "NA"},${r.label}`);
  lines.push("4,2,purple,mid");
  writeFileSync(join(dir, "synthetic.csv"), `${["x,y,colour,label", ...lines].join("\n")}\n`);
  return join(dir, "synthetic.csv");
}

/** The largest |a - b|. */
function maxDiff(got: ort.Tensor, want: Matrix): number {
  assert.deepEqual(got.dims, [want.rows, want.cols]);
  return maxAbsDiff(got.data as Float32Array, want.data);
}

/**
 * Compares the graph's outputs with strata's votes: the combined probabilities (bit for bit for a
 * hard vote), each member's output vote/<name> (and no other vote outputs), the labels. Returns
 * the largest difference of the combined probabilities.
 */
function compareVotes(
  result: ort.InferenceSession.OnnxValueMapType,
  outputs: readonly string[],
  votes: MemberVotes,
  classes: readonly string[],
  exact: boolean,
): number {
  const combined = maxDiff(result.probabilities, votes.combined);
  assert.ok(combined <= 1e-5, `the combined probabilities differ by ${combined}`);
  if (exact) assert.equal(combined, 0, "a hard vote's shares are strata's bit for bit");
  assert.deepEqual(
    outputs.filter((o) => o.startsWith("vote/")).sort(),
    votes.members.map((m) => `vote/${m.name}`).sort(),
  );
  for (const m of votes.members) {
    const d = maxDiff(result[`vote/${m.name}`], m.proba);
    assert.ok(d <= 1e-5, `member ${m.name}'s probabilities differ by ${d}`);
  }
  const { rows, cols, data } = votes.combined;
  const labels = Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < cols; c++) if (data[r * cols + c] > data[r * cols + best]) best = c;
    return classes[best];
  });
  assert.deepEqual(Array.from(result.label.data as string[]), labels);
  return combined;
}

/** How many rows' largest probability is shared by two classes (a tied vote: the first class wins). */
function ties({ rows, cols, data }: Matrix): number {
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const row = Array.from(data.subarray(r * cols, (r + 1) * cols));
    const top = Math.max(...row);
    if (row.filter((p) => p === top).length > 1) n++;
  }
  return n;
}

interface CliCase {
  readonly name: string;
  readonly data: (dir: string) => { train: string; target: string; numeric: ReadonlySet<string> };
  readonly fit: readonly string[];
  readonly classes: number;
  readonly exact?: boolean;
  /** Some rows are tied votes. */
  readonly ties?: boolean;
}

/** Fits with the CLI, exports, runs the graph and compares it with strata, in process and through predict --votes. */
async function cliCase(t: TestContext, c: CliCase): Promise<void> {
  const dir = tempDir(t, "strata-onnx-ens-");
  const { train, target, numeric } = c.data(dir);
  const fit = runCli(
    ["fit", train, "--target", target, ...c.fit, "--seed", "0", "--quiet", "--out", "m"],
    dir,
  );
  assert.equal(fit.status, 0, fit.stderr);
  const exp = runCli(["export", "m", "--to", "onnx", "--out", "m.onnx", "--quiet"], dir);
  assert.equal(exp.status, 0, exp.stderr);
  const file = join(dir, "m.onnx");
  checkOnnx(t, file);
  // The graph's inputs, typed as the case says its columns are.
  const { outputs: result, outputNames } = await runOnnx(file, (names) =>
    csvFeeds(
      train,
      names.map((name) => ({ name, type: numeric.has(name) ? "float" : "string" })),
    ),
  );
  const { model, schema } = await loadModelDir(join(dir, "m"));
  try {
    assert.equal(model.classes.length, c.classes);
    const frame = toFrame(readCsv(train, csvReadOptions(schema)), schema.features);
    const votes = await (model as unknown as EnsembleClassifier<never, unknown>).predictVotes(frame);
    const max = compareVotes(result, outputNames, votes, model.classes.map(String), c.exact ?? false);
    const tied = ties(votes.combined);
    if (c.ties) assert.ok(tied > 0, "some rows are tied votes");
    t.diagnostic(
      `${c.name}: ${readFileSync(file).byteLength} bytes, max |Δp| ${max.toExponential(2)}, ${tied} tied rows`,
    );
    // What `strata predict --votes --json` prints (6 significant digits) is what the graph gives.
    const printed = runCli(["predict", "m", train, "--votes", "--json"], dir);
    assert.equal(printed.status, 0, printed.stderr);
    const examples = JSON.parse(printed.stdout) as {
      members: { name: string; proba: Record<string, number> }[];
      combined: { top: string; proba: Record<string, number> };
    }[];
    const classes = model.classes.map(String);
    const row = (t: ort.Tensor, r: number) =>
      (t.data as Float32Array).subarray(r * classes.length, (r + 1) * classes.length);
    examples.forEach((e, r) => {
      assert.equal(e.combined.top, (result.label.data as string[])[r]);
      const shown = [{ output: "probabilities", proba: e.combined.proba }].concat(
        e.members.map((m) => ({ output: `vote/${m.name}`, proba: m.proba })),
      );
      for (const { output, proba } of shown)
        row(result[output], r).forEach((p, j) => {
          assert.ok(
            Math.abs(p - proba[classes[j]]) <= 1e-5,
            `row ${r + 1}, ${output}: ${p} vs ${proba[classes[j]]}`,
          );
        });
    });
  } finally {
    model.dispose();
  }
}

const pima = () => ({
  train: PIMA,
  target: "outcome",
  numeric: new Set(readFileSync(PIMA, "utf8").split("\n")[0].split(",")),
});
const synthetic = (dir: string) => ({
  train: syntheticCsv(dir),
  target: "label",
  numeric: new Set(["x", "y"]),
});

describe("strata export --to onnx: an ensemble is one graph that predicts as strata does", {
  concurrency: 1,
}, () => {
  test("soft vote of dense, logistic and XGBoost (Pima, binary)", { skip: noXGBoost }, (t) =>
    cliCase(t, {
      name: "soft vote Pima",
      data: pima,
      fit: ["--model", "vote", "--members", "dense:small,logistic,xgboost:shallow"],
      classes: 2,
    }),
  );
  test(
    "weighted hard vote, its ties included (Pima: weights 1,2,3 tie two against one)",
    { skip: noXGBoost },
    (t) =>
      cliCase(t, {
        name: "hard vote 1,2,3 Pima",
        data: pima,
        fit: [
          "--model",
          "vote",
          "--voting",
          "hard",
          "--weights",
          "1,2,3",
          "--members",
          "logistic,xgboost:shallow,xgboost",
        ],
        classes: 2,
        exact: true,
        ties: true,
      }),
  );
  test("hard vote, multi-class, a category column, missing values, an unseen category", (t) =>
    cliCase(t, {
      name: "hard vote synthetic",
      data: synthetic,
      fit: ["--model", "vote", "--voting", "hard", "--members", "logistic,dense:small,logistic"],
      classes: 3,
      exact: true,
    }));
  test("weighted soft vote, multi-class", (t) =>
    cliCase(t, {
      name: "soft vote 3,1 synthetic",
      data: synthetic,
      fit: ["--model", "vote", "--weights", "3,1", "--members", "dense:small,logistic"],
      classes: 3,
    }));
  test(
    "stack of dense and XGBoost with its logistic meta-model (Pima, binary: one column a member)",
    { skip: noXGBoost },
    (t) =>
      cliCase(t, {
        name: "stack Pima",
        data: pima,
        fit: ["--model", "stack", "--members", "dense:small,xgboost:shallow", "--stack-folds", "2"],
        classes: 2,
      }),
  );
  test("stack with passthrough and a dense meta-model, multi-class, the category passed through", (t) =>
    cliCase(t, {
      name: "stack passthrough synthetic",
      data: synthetic,
      fit: [
        "--model",
        "stack",
        "--members",
        "logistic,dense:small",
        "--meta",
        "dense",
        "--passthrough",
        "--stack-folds",
        "2",
      ],
      classes: 3,
    }));

  test("nested: a stack of a hard vote and a stack, passthrough; a vote with a stack member", async (t) => {
    const dir = tempDir(t, "strata-onnx-nested-");
    const rows = syntheticRows(200);
    const x = rows.map(({ label: _, ...r }) => r);
    const labels = rows.map((r) => r.label);
    const dense: EstimatorSpec = { kind: "dense", params: { hiddenUnits: [8], epochs: 5 } };
    const logistic: EstimatorSpec = { kind: "logistic", params: {} };
    const innerStack: EstimatorSpec = { kind: "stack", params: { members: [logistic, dense], folds: 2 } };
    const models = [
      new StackingClassifier({
        members: [
          { kind: "vote", params: { members: [logistic, dense, logistic], voting: "hard" } },
          innerStack,
        ],
        folds: 2,
        passthrough: true,
      }),
      new VotingClassifier({ members: [innerStack, logistic], weights: [2, 1] }),
    ];
    for (const [i, model] of models.entries()) {
      try {
        await model.fit(x, labels);
        await model.save(join(dir, `m${i}`));
        const exp = runCli(["export", `m${i}`, "--to", "onnx", "--out", `m${i}.onnx`, "--quiet"], dir);
        assert.equal(exp.status, 0, exp.stderr);
        checkOnnx(t, join(dir, `m${i}.onnx`));
        const n = x.length;
        const { outputs: result, outputNames } = await runOnnx(join(dir, `m${i}.onnx`), {
          x: new ort.Tensor(
            "float32",
            Float32Array.from(x, (r) => r.x),
            [n, 1],
          ),
          y: new ort.Tensor(
            "float32",
            Float32Array.from(x, (r) => r.y),
            [n, 1],
          ),
          colour: new ort.Tensor(
            "string",
            x.map((r) => r.colour ?? ""),
            [n, 1],
          ),
        });
        const votes = await model.predictVotes(x);
        const max = compareVotes(result, outputNames, votes, model.classes.map(String), false);
        t.diagnostic(`nested ${model.kind}: max |Δp| ${max.toExponential(2)}`);
      } finally {
        model.dispose();
      }
    }
  });
});

test("an image vote: two small CNNs soft-voted, one graph reading the image input", async (t) => {
  await useBackend();
  const dir = tempDir(t, "strata-onnx-image-vote-");
  const classes = ["cat", "ship", "frog"];
  const images = (part: string, n: number) =>
    classes.flatMap((c) =>
      readdirSync(join(CIFAR, part, c))
        .sort()
        .slice(0, n)
        .map((f) => join(CIFAR, part, c, f)),
    );
  const x = images("train", 8);
  const labels = x.map((f) => f.split("/").at(-2) ?? "");
  const cnn = (seed: number): EstimatorSpec => ({
    kind: "cnn",
    params: { size: [24, 24], epochs: 2, batchSize: 8, augment: null, seed },
  });
  const vote = new VotingClassifier({ members: [cnn(0), cnn(1)], weights: [2, 1] });
  try {
    await vote.fit(x, labels);
    await vote.save(join(dir, "m"));
  } finally {
    vote.dispose();
  }
  const exported = await exportOnnx(join(dir, "m"));
  writeFileSync(join(dir, "m.onnx"), exported.bytes);
  checkOnnx(t, join(dir, "m.onnx"));
  assert.deepEqual(exported.image, { height: 24, width: 24 });
  const files = images("test", 3);
  const { outputs: result, outputNames } = await runOnnx(exported.bytes, {
    image: await imagePixels(files, 24, 24),
  });
  const saved = await loadClassifier(join(dir, "m"));
  try {
    const votes = await (saved as unknown as EnsembleClassifier<never, unknown>).predictVotes(files);
    const max = compareVotes(result, outputNames, votes, saved.classes.map(String), false);
    t.diagnostic(`image vote: ${exported.bytes.byteLength} bytes, max |Δp| ${max.toExponential(2)}`);
  } finally {
    saved.dispose();
  }
});
