/**
 * Plain data in and out of every table estimator: rows as `number[][]` or as objects, labels as
 * strings, numbers or booleans (given back as the fit got them, after save and load too), and a
 * row that does not fit the model named by its index and column.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import sharp from "sharp";
import {
  type Classifier,
  DenseClassifier,
  type EstimatorSpec,
  Frame,
  ImageClassifier,
  type Label,
  LogisticRegression,
  loadClassifier,
  loadTableClassifier,
  type PixelBuffer,
  StackingClassifier,
  type TableData,
  VotingClassifier,
  XGBoostClassifier,
} from "../src/index.js";
import { Rng } from "../src/util/random.js";
import { noXGBoost } from "./helpers/addons.js";
import { tempDir } from "./helpers/cli.js";

/** Two numeric columns; the class is the side of a line the point falls on. */
function points(n = 120, seed = 1): { rows: number[][]; side: boolean[] } {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  const side: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.next() * 2 - 1;
    const b = rng.next() * 2 - 1;
    rows.push([a, b]);
    side.push(a + 0.5 * b > 0);
  }
  return { rows, side };
}

const quickDense = () =>
  new DenseClassifier({ hiddenUnits: [8], epochs: 20, learningRate: 0.05, patience: 0 });
const members: EstimatorSpec[] = [
  { kind: "logistic", params: {} },
  { kind: "logistic", params: { C: 0.1 } },
];

/** Every table kind, small and fast (ensembles fit their members in this process). */
const kinds: { name: string; make: () => Classifier<TableData>; options?: object; skip?: string | false }[] =
  [
    { name: "dense", make: quickDense },
    { name: "xgboost", make: () => new XGBoostClassifier({ nEstimators: 20 }), skip: noXGBoost },
    { name: "logistic", make: () => new LogisticRegression() },
    { name: "vote", make: () => new VotingClassifier({ members }), options: { jobs: 1 } },
    { name: "stack", make: () => new StackingClassifier({ members, folds: 3 }), options: { jobs: 1 } },
  ];

for (const kind of kinds) {
  test(`${kind.name}: fit(number[][], string[]) predicts strings, the same after save and load`, {
    skip: kind.skip,
  }, async (t) => {
    const { rows, side } = points();
    const labels = side.map((s) => (s ? "right" : "left"));
    const model = await kind.make().fit(rows, labels, kind.options);
    assert.deepEqual(model.classes, ["left", "right"]);
    const predicted = await model.predict(rows);
    assert.ok(predicted.every((p) => typeof p === "string"));
    const accuracy = predicted.filter((p, i) => p === labels[i]).length / labels.length;
    assert.ok(accuracy > 0.85, `training accuracy ${accuracy}`);
    const proba = await model.predictProba(rows.slice(0, 3));
    assert.equal(proba.rows, 3);
    assert.equal(proba.cols, 2);

    const dir = join(tempDir(t, "strata-plain-"), "model");
    await model.save(dir);
    const loaded = await loadTableClassifier(dir);
    assert.deepEqual(await loaded.predict(rows), predicted);
    loaded.dispose();
    model.dispose();
  });

  test(`${kind.name}: numeric labels come back as numbers, in numeric order, after save and load too`, {
    skip: kind.skip,
  }, async (t) => {
    const { rows, side } = points();
    const labels = side.map((s) => (s ? 10 : 2));
    // A Frame with numeric labels used to fail with "cell.trim is not a function".
    const frame = Frame.fromColumns({ c0: rows.map((r) => r[0]), c1: rows.map((r) => r[1]) });
    const model = await (kind.make() as Classifier<TableData, number>).fit(frame, labels, kind.options);
    assert.deepEqual(model.classes, ["2", "10"], "class names in numeric order");
    assert.deepEqual(model.classLabels, [2, 10]);
    assert.equal(model.labelType, "number");
    const predicted = await model.predict(rows);
    assert.ok(
      predicted.every((p) => p === 2 || p === 10),
      `numbers: ${predicted.slice(0, 5)}`,
    );
    assert.deepEqual(await model.predict(frame), predicted, "a Frame and the same rows as arrays agree");

    const dir = join(tempDir(t, "strata-plain-"), "model");
    await model.save(dir);
    const loaded = await loadTableClassifier(dir);
    assert.equal(loaded.labelType, "number");
    assert.deepEqual(loaded.classLabels, [2, 10]);
    assert.deepEqual(await loaded.predict(rows), predicted);
    loaded.dispose();
    model.dispose();
  });
}

test("boolean labels and object rows of numbers, text, true/false and null", async (t) => {
  const { rows, side } = points(150, 2);
  const colours = ["red", "green", "blue"];
  const objects = rows.map(([a, b], i) => ({
    a,
    b: i % 17 === 0 ? null : b,
    colour: colours[i % 3],
    flag: i % 2 === 0,
  }));
  const model = await new LogisticRegression<boolean>().fit(objects, side);
  assert.deepEqual(model.classLabels, [false, true]);
  assert.deepEqual(
    model.inputColumns.map((c) => `${c.name}:${c.kind}`),
    ["a:numeric", "b:numeric", "colour:categorical", "flag:categorical"],
  );
  const predicted: boolean[] = await model.predict(objects);
  assert.ok(predicted.every((p) => typeof p === "boolean"));
  assert.ok(predicted.filter((p, i) => p === side[i]).length / side.length > 0.85);
  // Keys the model was not fit on are ignored, as a CSV's extra columns are.
  const withLabel = objects.map((o, i) => ({ ...o, side: side[i] }));
  assert.deepEqual(await model.predict(withLabel), predicted);

  const dir = join(tempDir(t, "strata-plain-"), "model");
  await model.save(dir);
  const loaded = await loadTableClassifier(dir);
  assert.deepEqual(await loaded.predict(objects), predicted);
  loaded.dispose();
});

test("a row that does not fit the model is a StrataError naming the row and the column", async () => {
  const { rows, side } = points(60, 3);
  const objects = rows.map(([a, b], i) => ({ a, b, colour: i % 2 ? "red" : "blue" }));
  const model = await new LogisticRegression().fit(objects, side);
  const refused = (x: unknown, message: RegExp) =>
    assert.rejects(
      model.predict(x as TableData),
      (e: Error) => e.name === "StrataError" && message.test(e.message),
    );
  await refused(
    [objects[0], { a: 1, colour: "red" }],
    /^rows\[1\], column "b": missing: the model was fit on this column$/,
  );
  await refused([{ a: 1, b: "2", colour: "red" }], /^rows\[0\], column "b": expected a number .*got "2"/);
  await refused(
    [{ a: 1, b: 2, colour: [1] }],
    /^rows\[0\], column "colour": expected text, true\/false or null/,
  );
  await refused(
    [[1, 2, 3]],
    /rows of numbers cannot be matched to this model's columns: it was fit on 3 named columns \(a, b, colour\)/,
  );
  await refused(
    [objects[0], 7],
    /^rows\[1\]: expected an array of numbers or an object of column values, got 7$/,
  );
  await refused(
    "a,b",
    /expected rows: a Frame, an array of number arrays, or an array of objects; got "a,b"/,
  );

  const arrays = await new LogisticRegression().fit(rows, side);
  await assert.rejects(
    arrays.predict([
      [1, 2],
      [1, 2, 3],
    ]),
    /^StrataError: rows\[1\]: has 3 values, but the model was fit on 2 columns$/,
  );
  await assert.rejects(
    arrays.predict([[1, "2"]] as never),
    /^StrataError: rows\[0\], column "c1": expected a number/,
  );
  await assert.rejects(
    arrays.predict([[1, Number.POSITIVE_INFINITY]]),
    /^StrataError: rows\[0\], column "c1": Infinity is not a finite number/,
  );

  const fresh = () => new LogisticRegression();
  await assert.rejects(
    fresh().fit([[1, 2], [3]], [true, false]),
    /^StrataError: rows\[1\]: has 1 value, but the first row has 2$/,
  );
  await assert.rejects(
    fresh().fit([{ a: 1 }, { a: "x" }], [true, false]),
    /^StrataError: rows\[1\], column "a": is "x", but the column's other values are numbers/,
  );
  await assert.rejects(
    fresh().fit([{ a: 1 }, { a: 2, b: 3 }], [true, false]),
    /^StrataError: rows\[1\], column "b": is not a column of the first row/,
  );
  await assert.rejects(
    fresh().fit([{ a: 1, b: 1 }, { a: 2 }], [true, false]),
    /^StrataError: rows\[1\], column "b": missing/,
  );
  await assert.rejects(fresh().fit(rows, side.slice(1)), /fit: 60 rows but 59 labels/);
  await assert.rejects(
    fresh().fit(rows.slice(0, 3), ["a", 1, "b"] as Label[]),
    /^StrataError: labels\[1\] is 1, a number, but labels\[0\] is a string: give labels of one type$/,
  );
  await assert.rejects(
    fresh().fit(rows.slice(0, 2), [1, Number.NaN]),
    /labels\[1\] is NaN: a class label must be/,
  );
  await assert.rejects(
    fresh().fit(rows.slice(0, 2), ["a", null] as never),
    /labels\[1\] is null: a class label must be/,
  );
});

test("rows of numbers give the same model as the Frame of columns c0, c1, …", async () => {
  const { rows, side } = points(80, 4);
  const frame = Frame.fromColumns({ c0: rows.map((r) => r[0]), c1: rows.map((r) => r[1]) });
  const fromRows = await quickDense().fit(rows, side);
  const fromFrame = await quickDense().fit(frame, side);
  assert.deepEqual((await fromRows.predictProba(rows)).data, (await fromFrame.predictProba(frame)).data);
  assert.deepEqual(
    (await fromFrame.predictProba(rows)).data,
    (await fromFrame.predictProba(frame)).data,
    "a model fit on a Frame of c0, c1 predicts rows of numbers",
  );
  fromRows.dispose();
  fromFrame.dispose();
});

test("a saved label type that does not match the classes is refused as damaged", async (t) => {
  const { rows, side } = points(40, 5);
  const model = await new LogisticRegression().fit(rows, side);
  const dir = join(tempDir(t, "strata-plain-"), "model");
  await model.save(dir);
  const path = join(dir, "strata.json");
  const manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  assert.equal(manifest.labelType, "boolean");
  writeFileSync(path, JSON.stringify({ ...manifest, labelType: "number" }));
  await assert.rejects(
    loadClassifier(dir),
    /strata\.json: damaged: "labelType" is "number" but the class "false" is not a number/,
  );
});

test("image estimators take pixel buffers besides files; a bad buffer is named; no temporary file is left", async (t) => {
  const dir = tempDir(t, "strata-plain-");
  const rng = new Rng(7);
  /** 12×12 RGB images whose class is the dominant channel, with noise. */
  const pixels = (c: number): PixelBuffer => {
    const data = new Uint8Array(12 * 12 * 3);
    for (let p = 0; p < 12 * 12; p++)
      for (let ch = 0; ch < 3; ch++) data[p * 3 + ch] = (ch === c ? 150 : 40) + rng.int(90);
    return { data, width: 12, height: 12, channels: 3 };
  };
  const images = Array.from({ length: 24 }, (_, i) => pixels(i % 2));
  const labels = images.map((_, i) => i % 2);
  const leftovers = () => readdirSync(tmpdir()).filter((f) => f.startsWith("strata-pixels-")).length;
  const before = leftovers();
  const params = {
    model: "dense" as const,
    size: [12, 12] as const,
    hiddenUnits: [16],
    epochs: 15,
    batchSize: 8,
  };
  const model = await new ImageClassifier<number>({ ...params, validationFraction: 0 }).fit(images, labels);
  const predicted = await model.predict(images);
  assert.ok(predicted.filter((p, i) => p === labels[i]).length >= 20, `predicted ${predicted}`);
  // A file and a buffer of the same pixels are the same input.
  const file = join(dir, "one.png");
  await sharp(Buffer.from(images[0].data), { raw: { width: 12, height: 12, channels: 3 } })
    .png()
    .toFile(file);
  assert.deepEqual((await model.predictProba([file])).data, (await model.predictProba([images[0]])).data);
  await assert.rejects(
    model.predict([images[0], { data: new Uint8Array(10), width: 12, height: 12, channels: 3 }]),
    /^StrataError: images\[1\]: the pixel buffer holds 10 bytes, but 12×12 pixels of 3 channels are 432$/,
  );
  await assert.rejects(
    model.predict([{ data: [1, 2], width: 1, height: 1, channels: 2 } as never]),
    /^StrataError: images\[0\]: a pixel buffer's data must be a Uint8Array/,
  );
  assert.equal(leftovers(), before, "the temporary PNGs are removed");
  model.dispose();
});
