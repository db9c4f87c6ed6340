// The program package.test.ts installs into a fresh project beside the strata-ml tarball: strict
// TypeScript against the installed package's types, on plain arrays (rows of numbers, numeric
// labels), with a dense network, XGBoost, a vote of the two and a small stack of the two (a
// logistic meta-model on 3-fold out-of-fold probabilities), each fitted, saved, loaded and
// asked to predict. It prints one JSON line; any failed check throws (exit code 1).
import {
  backendName,
  DenseClassifier,
  loadTableClassifier,
  StackingClassifier,
  VotingClassifier,
  XGBoostClassifier,
} from "strata-ml";

/** Rows of four numbers whose label (0 or 1) is the sign of a simple score, from a seeded generator. */
function dataset(n: number, seed: number): { rows: number[][]; labels: number[] } {
  let state = seed;
  const next = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [next(), next(), next(), next()];
    rows.push(row);
    labels.push(row[0] + 0.5 * row[1] - 0.25 * row[2] > 0 ? 1 : 0);
  }
  return { rows, labels };
}

/** What the program needs of a model: the plain-data fit and predict, and save. */
interface PlainModel {
  fit(rows: number[][], labels: number[]): Promise<unknown>;
  predict(rows: number[][]): Promise<readonly unknown[]>;
  save(dir: string): Promise<void>;
  dispose(): void;
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`smoke: ${what}`);
}

function accuracy(predicted: readonly unknown[], labels: readonly number[]): number {
  check(predicted.length === labels.length, `${predicted.length} predictions for ${labels.length} rows`);
  for (const p of predicted) check(typeof p === "number", `a prediction is ${typeof p}, not a number`);
  return predicted.filter((p, i) => p === labels[i]).length / labels.length;
}

const train = dataset(400, 1);
const test = dataset(200, 2);
const models: Record<string, PlainModel> = {
  dense: new DenseClassifier({ hiddenUnits: [16], epochs: 30, seed: 0 }),
  xgboost: new XGBoostClassifier({ seed: 0 }),
  vote: new VotingClassifier({
    members: [
      { kind: "dense", params: { hiddenUnits: [16], epochs: 30, seed: 0 } },
      { kind: "xgboost", params: { seed: 0 } },
    ],
  }),
  stack: new StackingClassifier({
    members: [
      { kind: "dense", params: { hiddenUnits: [16], epochs: 30, seed: 0 } },
      { kind: "xgboost", params: { seed: 0 } },
    ],
    meta: { kind: "logistic", params: {} },
    folds: 3,
  }),
};

const report: Record<string, { accuracy: number; reloaded: number }> = {};
for (const [name, model] of Object.entries(models)) {
  await model.fit(train.rows, train.labels);
  const before = await model.predict(test.rows);
  await model.save(`models/${name}`);
  model.dispose();
  const loaded = await loadTableClassifier(`models/${name}`);
  const after = await loaded.predict(test.rows);
  loaded.dispose();
  check(JSON.stringify(after) === JSON.stringify(before), `${name}: the loaded model predicts otherwise`);
  report[name] = { accuracy: accuracy(before, test.labels), reloaded: accuracy(after, test.labels) };
  check(report[name].accuracy >= 0.8, `${name}: accuracy ${report[name].accuracy}`);
}
const backend = backendName();
check(backend === "torch", `the networks ran on the ${backend} backend, not torch`);
console.log(JSON.stringify({ backend, node: process.version, models: report }));
