import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../backend.js";
import { apiName, StrataError } from "../errors.js";
import { decodeImage } from "../images/decode.js";
import { zooLabels } from "../models/zoo/labels.js";
import { loadZooModel } from "../models/zoo/load.js";
import { preprocessPixels } from "../models/zoo/preprocess.js";
import type { ZooInfo } from "../models/zoo/types.js";
import { predictTensor } from "../train/forward.js";

/** One image's most probable classes under a pretrained model. */
export interface ZooPrediction {
  readonly file: string;
  readonly top: readonly { readonly label: string; readonly probability: number }[];
}

/**
 * A pretrained zoo model used as it is: each image resized to the model's input (the shorter
 * side scaled, the centre cropped, as ImageNet models are evaluated), preprocessed as the model
 * expects, its output turned into probabilities (softmax of logits), and the `top` classes named
 * from the model's label list, in the model's own label order (the native forward where the
 * network compiles to it). Unreadable images throw a
 * StrataError naming them.
 */
export async function classifyWithZoo(
  ref: string,
  files: readonly string[],
  top = 5,
): Promise<{ info: ZooInfo; predictions: ZooPrediction[] }> {
  await useBackend();
  const { model, info } = await loadZooModel(ref);
  try {
    if (info.output === "features")
      throw new StrataError(
        `zoo model "${info.name}" has no classifier (it ends in features): use it as a ${apiName("backbone")} for ${apiName("kind", "transfer")}`,
        { params: ["backbone", "kind"] },
      );
    const labels = (await zooLabels(info)) ?? [];
    const [height, width] = info.inputSize;
    const predictions: ZooPrediction[] = [];
    for (const file of files) {
      const pixels = preprocessPixels(
        await decodeImage(file, { width, height, channels: 3, fit: "cover" }),
        info.preprocessing,
      );
      const probabilities = tf.tidy(() => {
        const out = predictTensor(model, tf.tensor4d(pixels, [1, height, width, 3]));
        return info.output === "logits" ? tf.softmax(out) : out;
      });
      const p = (await probabilities.data()) as Float32Array;
      probabilities.dispose();
      const ranked = Array.from(p, (probability, i) => ({ label: labels[i] ?? `class ${i}`, probability }))
        .sort((a, b) => b.probability - a.probability)
        .slice(0, top);
      predictions.push({ file, top: ranked });
    }
    return { info, predictions };
  } finally {
    model.dispose();
  }
}
