/**
 * The contract every strata classifier keeps, checked the same way for each (after Keras's
 * `run_layer_test` and scikit-learn's `check_estimator`). Every estimator kind, binary and
 * multi-class, runs through `checkClassifierContract`; a new estimator must too.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../../src/backend.js";
import type { Classifier, Manifest } from "../../src/estimators/estimator.js";
import { loadClassifier } from "../../src/estimators/load.js";
import { createEstimator } from "../../src/estimators/registry.js";
import { argmaxRows, type Matrix, row } from "../../src/util/matrix.js";
import type { Params } from "../../src/util/params.js";

export interface ContractCase<X> {
  /** The kind (estimators/kinds.ts) the case is of: the model's `kind` must be it. */
  readonly kind?: string;
  /** Makes an unfitted estimator with these params over the case's small, fast defaults. */
  readonly make: (params?: Params) => Classifier<NoInfer<X>>;
  /** Training examples, learnable enough that a few epochs beat chance clearly. */
  readonly x: X;
  readonly y: readonly string[];
  /** The examples at some indices (to check predictions row by row). */
  readonly take: (x: X, indices: readonly number[]) => X;
  /** Params the estimator must refuse, each with a fragment of the message (naming the param). */
  readonly badParams: readonly { readonly params: Params; readonly message: RegExp }[];
  /** A scratch folder (the caller removes it). */
  readonly dir: string;
}

const TOLERANCE = 1e-5;

/** Runs every check of the contract; each assertion message names what broke. */
export async function checkClassifierContract<X>(c: ContractCase<X>): Promise<void> {
  await useBackend();
  const classes = [...new Set(c.y)].sort();
  const before = tf.memory().numTensors;

  // Hyperparameters: clone and specs give equal params and unfitted copies; params are plain JSON.
  const template = c.make();
  if (c.kind !== undefined) assert.equal(template.kind, c.kind, "the model is of its kind");
  const params = template.getParams();
  assert.deepEqual(JSON.parse(JSON.stringify(params)), params, "params survive JSON");
  const copy = template.clone();
  assert.deepEqual(copy.getParams(), params, "clone() has the same params");
  assert.notEqual(copy, template);
  assert.throws(() => copy.classes, /not fitted/, "a clone is unfitted");
  const summarized = summarizer(copy);
  if (summarized)
    assert.throws(
      () => summarized.summary(),
      (e: Error) => e.name === "StrataError" && /no network before fit/.test(e.message),
      "summary() before fit is a StrataError",
    );
  const fromSpec = await createEstimator({ kind: template.kind, params });
  assert.deepEqual(fromSpec.getParams(), params, "createEstimator({kind, params}) has the same params");
  assert.equal(fromSpec.input, template.input);
  assert.throws(
    () => c.make({ notAParam: 1 }),
    /unknown parameter "notAParam"/,
    "unknown params are refused",
  );
  // Refused when the model is made (a schema's checks) or at the latest by fit.
  for (const bad of c.badParams)
    await assert.rejects(
      async () => c.make(bad.params).fit(c.x, c.y),
      bad.message,
      `bad params ${JSON.stringify(bad.params)}`,
    );

  // Fitting: probabilities of shape [n, k], rows summing to 1, predict = argmax; seeded.
  const model = await c.make().fit(c.x, c.y);
  assert.deepEqual(model.classes, classes, "classes default to the sorted labels");
  const proba = await model.predictProba(c.x);
  checkProba(proba, c.y.length, classes.length);
  const summarizedModel = summarizer(model);
  if (summarizedModel) checkSummary(summarizedModel, classes.length);
  const predicted = await model.predict(c.x);
  assert.deepEqual(
    predicted,
    Array.from(argmaxRows(proba), (i) => classes[i]),
    "predict() is the most probable class",
  );
  const accuracy = predicted.filter((p, i) => p === c.y[i]).length / c.y.length;
  assert.ok(accuracy > 1.5 / classes.length, `training accuracy ${accuracy} is no better than chance`);
  // Labels as numbers (each class's index, so in the same order): the same model, and predict
  // gives numbers back, after save and load too.
  const numbers = c.y.map((label) => classes.indexOf(label));
  const again = await (c.make() as Classifier<X, number>).fit(c.x, numbers);
  assert.deepEqual(
    (await again.predictProba(c.x)).data,
    proba.data,
    "the same seed gives the same probabilities (labels as numbers or as text alike)",
  );
  assert.equal(again.labelType, "number");
  assert.deepEqual(
    again.classLabels,
    classes.map((_, i) => i),
  );
  const numbered = await again.predict(c.x);
  assert.deepEqual(numbered, Array.from(argmaxRows(proba)), "numeric labels come back as numbers");
  const numericDir = join(c.dir, `numeric-${again.kind}-${classes.length}`);
  await again.save(numericDir);
  const reloaded = await loadClassifier(numericDir);
  assert.deepEqual(await (reloaded as Classifier<X>).predict(c.x), numbered, "numbers after save and load");
  reloaded.dispose();
  again.dispose();
  // Batches of another size may round differently in the last bits (blocked matrix products).
  const sub = [2, 0, 1];
  assertClose(
    (await model.predictProba(c.take(c.x, sub))).data,
    Float32Array.from(sub.flatMap((r) => Array.from(row(proba, r)))),
    "each row's probabilities do not depend on the other rows",
  );

  // Columns follow a given class order: column j is P(classes[j]).
  const permuted = [...classes].reverse();
  const reordered = await c.make().fit(c.x, c.y, { classes: permuted });
  assert.deepEqual(reordered.classes, permuted);
  const p2 = await reordered.predictProba(c.x);
  checkProba(p2, c.y.length, classes.length);
  for (const [j, name] of permuted.entries()) {
    const own = meanWhere(p2, j, (i) => c.y[i] === name);
    const other = meanWhere(p2, j, (i) => c.y[i] !== name);
    assert.ok(
      own > other,
      `column ${j} is P(${name}): ${own.toFixed(3)} on its rows vs ${other.toFixed(3)} elsewhere`,
    );
  }
  reordered.dispose();

  // Saving: every listed file exists; loading gives the same predictions.
  const dir = join(c.dir, `saved-${model.kind}-${classes.length}`);
  await model.save(dir);
  const manifest = JSON.parse(readFileSync(join(dir, "strata.json"), "utf8")) as Manifest;
  assert.equal(manifest.kind, model.kind);
  assert.equal(manifest.input, model.input);
  assert.deepEqual(manifest.params, params);
  for (const f of manifest.files) assert.ok(existsSync(join(dir, f)), `listed file ${f} exists`);
  const loaded = await loadClassifier(dir);
  assert.equal(loaded.kind, model.kind);
  assert.deepEqual(loaded.classes, classes);
  assert.deepEqual(loaded.getParams(), params, "loaded params are the saved ones");
  assert.deepEqual(
    (await (loaded as Classifier<X>).predictProba(c.x)).data,
    proba.data,
    "save → load gives the same probabilities",
  );
  loaded.dispose();

  // A failed save leaves nothing: no directory, no temporary sibling.
  const failing = join(c.dir, `failing-${model.kind}-${classes.length}`);
  const writeFiles = model.writeFiles.bind(model);
  model.writeFiles = async (d: string) => {
    await writeFiles(d);
    throw new Error("disk full");
  };
  await assert.rejects(model.save(failing), /disk full/);
  assert.equal(existsSync(failing), false, "a failed save leaves no directory");
  assert.deepEqual(
    readdirSync(c.dir).filter((f) => f.includes("failing")),
    [],
    "a failed save leaves no temporary directory",
  );
  model.dispose();
  fromSpec.dispose();
  assert.throws(() => model.classes, /not fitted/, "dispose() forgets the fit");
  assert.equal(tf.memory().numTensors, before, "fit, predict, save, load and dispose leave no tensors");
}

/** A network estimator, which has summary(). */
interface Summarized {
  summary(options?: { print?: boolean | ((text: string) => void) }): string;
  readonly network: { countParams(): number; readonly layers: readonly { readonly name: string }[] };
}

function summarizer(model: object): Summarized | undefined {
  return "summary" in model ? (model as Summarized) : undefined;
}

/** A Keras-style summary: a row per layer, the total parameter count the network has, printed when asked. */
function checkSummary(model: Summarized, k: number): void {
  let printed = "";
  const text = model.summary({ print: (t) => (printed = t) });
  assert.equal(printed, text, "summary({ print }) gives the text to print");
  assert.match(
    text,
    new RegExp(`^Model: \\w+ \\([\\w-]+\\), ${k} classes`),
    "the title names the model and classes",
  );
  assert.match(text, /Layer \(type\).*Output Shape.*Param #/);
  for (const layer of model.network.layers)
    assert.ok(text.includes(`${layer.name} (`), `the summary lists ${layer.name}`);
  const total = /Total params: ([\d,]+)/.exec(text)?.[1]?.replaceAll(",", "");
  assert.equal(Number(total), model.network.countParams(), "the total is the network's parameter count");
  assert.match(text, /Trainable params: [\d,]+ .*\n Non-trainable params: [\d,]+/);
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, i) => {
    assert.ok(Math.abs(v - expected[i]) < TOLERANCE, `${what}: value ${i} is ${v}, expected ${expected[i]}`);
  });
}

function checkProba(proba: Matrix, rows: number, k: number): void {
  assert.equal(proba.rows, rows, "one row per example");
  assert.equal(proba.cols, k, "one column per class");
  for (let r = 0; r < rows; r++) {
    const values = row(proba, r);
    const sum = values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < TOLERANCE, `row ${r} sums to ${sum}`);
    assert.ok(
      values.every((v) => v >= 0 && v <= 1),
      `row ${r} holds probabilities`,
    );
  }
}

function meanWhere(proba: Matrix, column: number, keep: (row: number) => boolean): number {
  let sum = 0;
  let n = 0;
  for (let r = 0; r < proba.rows; r++) {
    if (!keep(r)) continue;
    sum += proba.data[r * proba.cols + column];
    n++;
  }
  return sum / n;
}
