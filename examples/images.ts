// The talk's image lesson as a program: a dense network on flattened pixels beside a CNN, trained
// on the same images and scored on the same held-out ones; the CNN is saved for `strata predict`.
// Run: npx tsx examples/images.ts [image folder] [epochs] [training images per class]
import { CnnClassifier, ImageDenseClassifier, type ImageItem, scanImageFolder } from "strata-ml/images";

const [folder = "../shared/data/cifar10_jpg_subset", epochsArg = "15", perClassArg = "0"] =
  process.argv.slice(2);
const epochs = Number(epochsArg);
const perClass = Number(perClassArg);

// folder/train/<class>/* and folder/test/<class>/* (or folder/<class>/*: hold some out yourself).
const data = scanImageFolder(folder);
const take = (items: readonly ImageItem[]) =>
  perClass > 0 ? data.classes.flatMap((c) => items.filter((i) => i.label === c).slice(0, perClass)) : items;
const train = take(data.train);
const test = data.test ?? [];
console.log(`${data.classes.length} classes: ${train.length} training and ${test.length} test images`);

const results: string[] = [];
for (const model of ["dense", "cnn"] as const) {
  // 32×32 RGB, random flips and 2-pixel crops in training, Adam with a cosine schedule (the defaults).
  const classifier =
    model === "cnn" ? new CnnClassifier({ epochs, seed: 0 }) : new ImageDenseClassifier({ epochs, seed: 0 });
  await classifier.fit(
    train.map((i) => i.file),
    train.map((i) => i.label),
    {
      classes: data.classes,
      checkpoint: `models/${model}-checkpoint`, // rerun with resume: true after an interruption
      listener: {
        onEpochEnd: (e) => console.log(`${model} epoch ${e.epoch}: val_acc ${e.valAccuracy?.toFixed(4)}`),
      },
    },
  );
  const predicted = await classifier.predict(test.map((i) => i.file));
  const accuracy = predicted.filter((p, i) => p === test[i].label).length / test.length;
  const seconds = classifier.fitSummary?.seconds ?? 0;
  results.push(
    `${model.padEnd(5)} accuracy ${accuracy.toFixed(4)}  ${classifier.network.countParams()} parameters  fit ${seconds.toFixed(1)} s`,
  );
  if (model === "cnn") await classifier.save("models/cnn-example");
  classifier.dispose();
}
console.log(results.join("\n"));
console.log("saved models/cnn-example (try: npx strata predict models/cnn-example <image files or folders>)");
