import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { DMatrix } from "strata-ml-xgboost";
import { Frame } from "../src/data/frame.js";
import type { Manifest } from "../src/estimators/estimator.js";
import { loadTableClassifier } from "../src/estimators/load.js";
import { XGBOOST_MODEL_JSON, XGBoostClassifier } from "../src/estimators/xgboost.js";
import { Rng } from "../src/util/random.js";
import { loadCsvDataset, trainTestSplit } from "../src/workflow/dataset.js";
import { evaluateClassifier } from "../src/workflow/evaluate.js";
import { noXGBoost } from "./helpers/addons.js";
import { sharedData } from "./helpers/data.js";

const skip = noXGBoost;
const tmp = mkdtempSync(join(tmpdir(), "strata-xgboost-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

const banknote = loadCsvDataset(sharedData("jbrownlee_extra/banknote_authentication.csv"), {
  header: false,
  target: "c4",
});
const notes = trainTestSplit(banknote, { testSize: 0.25, seed: 0 });

const pima = loadCsvDataset(sharedData("pima_diabetes/pima-indians-diabetes.csv"), { target: "outcome" });
const diabetes = trainTestSplit(pima, { testSize: 0.3, seed: 0 });

test("binary: banknotes are separated almost perfectly", { skip }, async () => {
  const model = await new XGBoostClassifier({ nEstimators: 200 }).fit(notes.train.frame, notes.train.y);
  assert.deepEqual(model.classes, ["0", "1"]);
  const report = await evaluateClassifier(model, notes.test);
  assert.ok(report.accuracy >= 0.98, `accuracy ${report.accuracy}`);
  assert.ok(report.rocAuc! >= 0.99, `AUC ${report.rocAuc}`);
  model.dispose();
});

test("early stopping keeps the best round, and only its trees predict (Pima)", { skip }, async () => {
  const model = await new XGBoostClassifier({ earlyStoppingRounds: 20 }).fit(
    diabetes.train.frame,
    diabetes.train.y,
  );
  const s = model.fitSummary!;
  assert.ok(s.epochsRun < 1000, `stopped early, after ${s.epochsRun} rounds`);
  assert.equal(s.epochsRun, s.bestEpoch + 20, "20 rounds without a better validation loss");
  assert.equal(s.history!.length, s.epochsRun, "one history record per round");
  const best = s.history![s.bestEpoch - 1].valLoss!;
  assert.ok(
    s.history!.every((h) => h.valLoss! >= best),
    "no round has a lower validation loss than the kept one",
  );
  assert.ok(s.history!.every((h) => h.accuracy > 0.5 && h.valAccuracy! > 0.5));
  const report = await evaluateClassifier(model, diabetes.test);
  assert.ok(report.accuracy > 0.7, `accuracy ${report.accuracy}`);

  // The kept rounds predict, not all of them: compare with the booster's own predictions.
  const { booster, rounds } = model.booster;
  assert.equal(rounds, s.bestEpoch);
  const x = model.preprocessor.transform(diabetes.test.frame).x;
  const d = new DMatrix(x.data, x.rows, x.cols);
  const kept = booster.predict(d, { iterationRange: [0, rounds] }).values;
  const every = booster.predict(d).values;
  d.dispose();
  const proba = await model.predictProba(diabetes.test.frame);
  assert.deepEqual(
    Float32Array.from({ length: proba.rows }, (_, r) => proba.data[2 * r + 1]),
    kept,
    "P(class 1) is the best round's prediction",
  );
  assert.notDeepEqual(kept, every);
  model.dispose();
});

test("multiclass: red-wine quality (6 classes) beats the majority class by a clear margin", {
  skip,
}, async () => {
  const wine = loadCsvDataset(sharedData("wine_quality/winequality-red.csv"), { target: "quality" });
  const { train, test: held } = trainTestSplit(wine, { testSize: 0.25, seed: 0 });
  const model = await new XGBoostClassifier({ nEstimators: 150 }).fit(train.frame, train.y, {
    classes: wine.labels,
  });
  assert.deepEqual(model.classes, wine.labels);
  const report = await evaluateClassifier(model, held);
  const majority = Math.max(...report.perClass.map((c) => c.support)) / report.n;
  assert.ok(report.accuracy > majority + 0.1, `accuracy ${report.accuracy} vs majority ${majority}`);
  model.dispose();
});

test("early stopping is grouped: copies of a row never straddle the validation split", { skip }, async () => {
  // 200 groups of 4 identical rows with noisy labels. Ungrouped, the validation rows have copies
  // among the fit rows, so memorising them keeps lowering the validation loss; grouped, it cannot.
  const rng = new Rng(1);
  const cols: { a: number[]; b: number[] } = { a: [], b: [] };
  const y: string[] = [];
  const groups: string[] = [];
  for (let g = 0; g < 200; g++) {
    const a = rng.next();
    const b = rng.next();
    const label = rng.next() < (a > 0.5 ? 0.7 : 0.3) ? "yes" : "no";
    for (let copy = 0; copy < 4; copy++) {
      cols.a.push(a);
      cols.b.push(b);
      y.push(label);
      groups.push(`g${g}`);
    }
  }
  const x = Frame.fromColumns(cols);
  const fit = async (grouped: boolean) => {
    const model = await new XGBoostClassifier({
      nEstimators: 200,
      validationFraction: 0.2,
      earlyStoppingRounds: 20,
    }).fit(x, y, { groups: grouped ? groups : undefined });
    const best = model.fitSummary!.bestEpoch;
    model.dispose();
    return best;
  };
  const plain = await fit(false);
  const grouped = await fit(true);
  assert.ok(plain > 100, `ungrouped, the validation loss keeps falling (best round ${plain})`);
  assert.ok(grouped < 50, `grouped, it stops early (best round ${grouped})`);
});

test('classWeight "balanced" raises the minority class\'s recall (Pima)', { skip }, async () => {
  const { train, test: held } = diabetes;
  const recall = async (classWeight: "balanced" | "none") => {
    const model = await new XGBoostClassifier({ classWeight, maxDepth: 3 }).fit(train.frame, train.y);
    const report = await evaluateClassifier(model, held);
    model.dispose();
    return report.perClass.find((c) => c.label === "1")!.recall;
  };
  const none = await recall("none");
  const balanced = await recall("balanced");
  assert.ok(balanced > none + 0.05, `recall of the diabetic class: ${balanced} balanced vs ${none}`);
});

test("the model directory holds XGBoost's own JSON model, numbers unscaled, no thread count", {
  skip,
}, async () => {
  const model = await new XGBoostClassifier({ nEstimators: 30 }).fit(notes.train.frame, notes.train.y, {
    threads: 1,
  });
  const dir = join(tmp, "saved");
  await model.save(dir);
  const xgb = JSON.parse(readFileSync(join(dir, XGBOOST_MODEL_JSON), "utf8"));
  assert.equal(xgb.learner.objective.name, "binary:logistic");
  assert.ok(xgb.learner.gradient_booster.model.trees.length > 0);
  const preprocess = JSON.parse(readFileSync(join(dir, "preprocess.json"), "utf8"));
  assert.equal(preprocess.standardize, false, "trees need no standardised numbers");
  const manifest = JSON.parse(readFileSync(join(dir, "strata.json"), "utf8")) as Manifest;
  assert.ok(manifest.files.includes(XGBOOST_MODEL_JSON));
  assert.equal(
    JSON.stringify(manifest).includes("thread"),
    false,
    "threads are the machine's, not the model's",
  );
  const loaded = await loadTableClassifier(dir);
  assert.deepEqual(
    (await loaded.predictProba(notes.test.frame)).data,
    (await model.predictProba(notes.test.frame)).data,
  );
  loaded.dispose();
  model.dispose();
});

test("threads are a fit option: 1 and 2 threads give the same model; a bad count is refused", {
  skip,
}, async () => {
  const fit = async (threads: number) => {
    const model = await new XGBoostClassifier({ nEstimators: 50 }).fit(notes.train.frame, notes.train.y, {
      threads,
    });
    const proba = await model.predictProba(notes.test.frame);
    model.dispose();
    return proba.data;
  };
  assert.deepEqual(await fit(1), await fit(2));
  await assert.rejects(fit(-1), /XGBoostClassifier: the threads fit option must be an integer >= 0, got -1/);
});

test("without libxgboost, fitting and loading say so and how to fix it", async () => {
  const without = fileURLToPath(new URL("helpers/without-xgboost.mjs", import.meta.url));
  const estimator = fileURLToPath(new URL("../src/estimators/xgboost.ts", import.meta.url));
  const frame = fileURLToPath(new URL("../src/data/frame.ts", import.meta.url));
  const script = join(tmp, "without.mts");
  writeFileSync(
    script,
    `import { Frame } from ${JSON.stringify(frame)};
import { XGBoostClassifier } from ${JSON.stringify(estimator)};
const report = (e) => console.log(JSON.stringify({ name: e.name, message: e.message }));
await new XGBoostClassifier().fit(Frame.fromColumns({ a: [1, 2, 3, 4] }), ["x", "y", "x", "y"]).catch(report);
await XGBoostClassifier.read(${JSON.stringify(tmp)}, {}).catch(report);
`,
  );
  const run = spawnSync(process.execPath, ["--import", "tsx", "--import", without, script], {
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const errors = run.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { name: string; message: string });
  assert.equal(errors.length, 2);
  for (const e of errors) {
    assert.equal(e.name, "StrataError");
    assert.match(e.message, /^XGBoostClassifier needs libxgboost: .*libxgboost\.so\.0 not found/);
    assert.match(e.message, /apt-get install libxgboost-dev/);
  }
});
