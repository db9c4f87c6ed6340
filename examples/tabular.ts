// The CLI's `strata fit` workflow as a program: read, split by group, fit, evaluate, save.
// Run: npx tsx examples/tabular.ts [data.csv] [target] [group]
import {
  DenseClassifier,
  evaluateClassifier,
  formatReport,
  loadCsvDataset,
  saveModelDir,
  trainTestSplit,
} from "strata-ml";

const [file = "data/spotify_songs/spotify_songs.csv", target = "playlist_genre", group] =
  process.argv.slice(2);
const grouped = group ?? (target === "playlist_genre" ? "track_artist" : undefined);

// Columns become numeric or categorical features; ids, free text and target leaks are dropped.
const data = loadCsvDataset(file, {
  target,
  group: grouped,
  dropDuplicates: grouped ? "track_id" : undefined,
});
for (const note of data.notes) console.log(`note: ${note}`);

// 80% of the groups (artists) train, the other 20% test: no artist is on both sides.
const { train, test } = trainTestSplit(data, { testSize: 0.2, seed: 0 });

const model = new DenseClassifier({ hiddenUnits: [128, 64], dropout: 0.1, seed: 0 });
await model.fit(train.frame, train.y, {
  classes: data.labels,
  groups: train.groups, // the early-stopping validation split is grouped too
  listener: {
    onEpochEnd: (e) =>
      console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(4)} val_acc ${e.valAccuracy?.toFixed(4)}`),
  },
});

const report = await evaluateClassifier(model, test);
console.log(formatReport(report));
await saveModelDir("models/example", { model, schema: data.schema, metrics: { accuracy: report.accuracy } });
console.log(
  `accuracy ${report.accuracy.toFixed(4)}; saved models/example (try: npx strata predict models/example ${file})`,
);
