/**
 * The contract every strata regressor keeps, checked the same way for each (contract.ts's twin
 * for numeric targets, after Keras's `run_layer_test` and scikit-learn's `check_estimator`):
 * params that survive JSON and clone, bad params refused naming the class and the param, a
 * seeded fit, one finite prediction per row that does not depend on the other rows, save → load
 * with the same predictions (and loadClassifier refusing it), a failed save that leaves nothing, and no tensor left behind.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../../src/backend.js";
import { builtInKinds } from "../../src/estimators/built-in-kinds.js";
import type { Manifest } from "../../src/estimators/estimator.js";
import { loadClassifier } from "../../src/estimators/load.js";
import type { Regressor } from "../../src/estimators/regressor.js";
import { rmse } from "../../src/metrics/regression.js";
import type { Params } from "../../src/util/params.js";

export interface RegressorContractCase<X> {
  /** The kind the model must have (strata.json's "kind", what builtInKinds.loadRegressor reads by). */
  readonly kind: string;
  /** Makes an unfitted regressor with these params over the case's small, fast defaults. */
  readonly make: (params?: Params) => Regressor<NoInfer<X>>;
  /** Training examples, learnable enough that the fit beats the mean clearly. */
  readonly x: X;
  readonly y: readonly number[];
  /** The examples at some indices (to check predictions row by row). */
  readonly take: (x: X, indices: readonly number[]) => X;
  /** Params the regressor must refuse, each with a fragment of the message (naming the class and param). */
  readonly badParams: readonly { readonly params: Params; readonly message: RegExp }[];
  /** A scratch folder (the caller removes it). */
  readonly dir: string;
  /** Largest difference allowed between a row predicted alone and in the batch (default 1e-5). */
  readonly rowTolerance?: number;
}

/** Runs every check of the contract; each assertion message names what broke. */
export async function checkRegressorContract<X>(c: RegressorContractCase<X>): Promise<void> {
  await useBackend();
  const before = tf.memory().numTensors;

  // Hyperparameters: plain JSON; clone has the same ones and is unfitted.
  const template = c.make();
  assert.equal(template.kind, c.kind, "the model is of its kind");
  assert.equal(template.task, "regression");
  const params = template.getParams();
  assert.deepEqual(JSON.parse(JSON.stringify(params)), params, "params survive JSON");
  const copy = template.clone();
  assert.deepEqual(copy.getParams(), params, "clone() has the same params");
  assert.notEqual(copy, template);
  await assert.rejects(copy.predict(c.x), /not fitted/, "a clone is unfitted");
  assert.equal(copy.fitSummary, undefined, "an unfitted model has no fit summary");
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
  // A target that is not all finite numbers is refused, naming the row.
  const badY = [...c.y];
  badY[3] = Number.NaN;
  await assert.rejects(
    async () => c.make().fit(c.x, badY),
    /row 4: the target is NaN/,
    "a NaN target is refused naming its row",
  );
  await assert.rejects(
    async () => c.make().fit(c.x, c.y.slice(1)),
    /the target has \d+ values for \d+ rows/,
    "a target of the wrong length is refused",
  );

  // Fitting: one finite prediction per row, better than the mean; seeded.
  const model = await c.make().fit(c.x, c.y);
  const predicted = await model.predict(c.x);
  assert.ok(predicted instanceof Float64Array, "predict gives a Float64Array");
  assert.equal(predicted.length, c.y.length, "one prediction per row");
  assert.ok(
    predicted.every((v) => Number.isFinite(v)),
    "predictions are finite",
  );
  const mean = c.y.reduce((a, b) => a + b, 0) / c.y.length;
  const fitted = rmse(c.y, predicted);
  const baseline = rmse(
    c.y,
    c.y.map(() => mean),
  );
  assert.ok(
    fitted < 0.8 * baseline,
    `training RMSE ${fitted.toFixed(4)} is not clearly below the mean's ${baseline.toFixed(4)}`,
  );
  assert.ok(model.fitSummary, "a fitted model has a fit summary");
  const again = await c.make().fit(c.x, c.y);
  assert.deepEqual(await again.predict(c.x), predicted, "the same seed gives the same predictions");
  again.dispose();
  const sub = [2, 0, 1];
  const alone = await model.predict(c.take(c.x, sub));
  const tolerance = c.rowTolerance ?? 1e-5;
  for (const [i, r] of sub.entries())
    assert.ok(
      Math.abs(alone[i] - predicted[r]) <= tolerance * Math.max(1, Math.abs(predicted[r])),
      `row ${r} predicted alone is ${alone[i]}, in the batch ${predicted[r]}`,
    );

  // Saving: a manifest of the kind, input, params and task; every listed file exists; loading
  // gives the same predictions and params.
  const dir = join(c.dir, `saved-${model.kind}`);
  await model.save(dir);
  const manifest = JSON.parse(readFileSync(join(dir, "strata.json"), "utf8")) as Manifest & { task?: string };
  assert.equal(manifest.kind, model.kind);
  assert.equal(manifest.input, model.input);
  assert.equal(manifest.task, "regression", 'strata.json says task: "regression"');
  assert.deepEqual(manifest.params, params);
  for (const f of manifest.files) assert.ok(existsSync(join(dir, f)), `listed file ${f} exists`);
  // Through strata's kinds, as loadRegressor (tables) and loadImageRegressor (images) load it.
  const loaded = (await builtInKinds.loadRegressor(dir)) as unknown as Regressor<X>;
  assert.equal(loaded.kind, model.kind);
  assert.deepEqual(loaded.getParams(), params, "loaded params are the saved ones");
  assert.deepEqual(await loaded.predict(c.x), predicted, "save → load gives the same predictions");
  loaded.dispose();
  await assert.rejects(
    loadClassifier(dir),
    /holds a regressor/,
    "loadClassifier refuses a regressor's directory",
  );

  // A failed save leaves nothing: no directory, no temporary sibling.
  const failing = join(c.dir, `failing-${model.kind}`);
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
  await assert.rejects(model.predict(c.x), /not fitted/, "dispose() forgets the fit");
  assert.equal(tf.memory().numTensors, before, "fit, predict, save, load and dispose leave no tensors");
}
