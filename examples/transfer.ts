// The talk's transfer-learning lesson as a program: start from an ImageNet-trained network in
// strata's zoo, remove its classifier, freeze it (trainable = false), add your own classifier and
// fit it; then the same in three lines with TransferClassifier, which also fine-tunes the top
// blocks and caches the frozen features.
// Run: npx tsx examples/transfer.ts [image folder] [training images per class] [image size] [test images per class]
import { useBackend } from "strata-ml";
import { decodeImage, scanImageFolder } from "strata-ml/images";
import { tf, tfl } from "strata-ml/tf";
import { cutModel, loadZooModel, TransferClassifier } from "strata-ml/transfer";

const [folder = "../shared/data/cifar10_jpg_subset", perClassArg = "100", sizeArg = "128", testArg = "0"] =
  process.argv.slice(2);
const perClass = Number(perClassArg);
const size = Number(sizeArg);
await useBackend();
const data = scanImageFolder(folder);
const train = data.classes.flatMap((c) => data.train.filter((i) => i.label === c).slice(0, perClass));
const testPerClass = Number(testArg);
const test = (data.test ?? []).filter(
  (item, i, all) =>
    testPerClass === 0 || all.slice(0, i).filter((o) => o.label === item.label).length < testPerClass,
);
console.log(`${data.classes.length} classes: ${train.length} training and ${test.length} test images`);

// 1. By hand, as in Keras. darknet-tiny is fully convolutional, so it can take smaller images.
const { model: darknet, info } = await loadZooModel("darknet-tiny", { inputSize: size });
const base = cutModel(darknet, info); // everything before the 1000-class head
base.trainable = false; // freeze the ImageNet features
const input = tfl.input({ shape: [size, size, 3] });
const features = tfl.layers.globalAveragePooling2d({}).apply(base.apply(input)) as tfl.SymbolicTensor;
const output = tfl.layers.dense({ units: data.classes.length, activation: "softmax" }).apply(features);
const model = tfl.model({ inputs: input, outputs: output as tfl.SymbolicTensor });
model.compile({ optimizer: tf.train.adam(0.003), loss: "categoricalCrossentropy", metrics: ["accuracy"] });

// Pixels as darknet was trained on them: RGB divided by 255 (see `strata zoo`).
const pixels = async (files: readonly string[]) => {
  const all = new Float32Array(files.length * size * size * 3);
  for (const [i, file] of files.entries())
    all.set(await decodeImage(file, { width: size, height: size, channels: 3 }), i * size * size * 3);
  return tf.div(tf.tensor4d(all, [files.length, size, size, 3]), 255);
};
const labels = (items: readonly { label: string }[]) =>
  tf.oneHot(
    tf.tensor1d(
      items.map((i) => data.classes.indexOf(i.label)),
      "int32",
    ),
    data.classes.length,
  );
const [x, y] = [await pixels(train.map((i) => i.file)), labels(train)];
await model.fit(x, y, { epochs: 10, batchSize: 32, shuffle: true, verbose: 0 });
const xt = await pixels(test.map((i) => i.file));
const predicted = tf.argMax(model.predict(xt, { batchSize: 64 }) as tf.Tensor, -1).dataSync();
const byHand = test.filter((item, i) => data.classes[predicted[i]] === item.label).length / test.length;
console.log(`frozen darknet-tiny + softmax, by hand: accuracy ${byHand.toFixed(4)}`);
tf.dispose([x, y, xt]);

// 2. The same lesson with strata's estimator: head on cached frozen features, then the top two
// blocks fine-tuned at lower learning rates with flips and crops; saved for `strata predict`.
const transfer = new TransferClassifier({
  backbone: "darknet-tiny",
  size: [size, size],
  fineTune: 2,
  epochsFine: 1,
  seed: 0,
});
await transfer.fit(
  train.map((i) => i.file),
  train.map((i) => i.label),
  { classes: data.classes },
);
const guesses = await transfer.predict(test.map((i) => i.file));
const accuracy = guesses.filter((g, i) => g === test[i].label).length / test.length;
console.log(`TransferClassifier (head, then fine-tuned): accuracy ${accuracy.toFixed(4)}`);
await transfer.save("models/transfer-example");
console.log("saved models/transfer-example (try: npx strata predict models/transfer-example <images>)");
