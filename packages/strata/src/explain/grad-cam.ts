import * as tf from "@tensorflow/tfjs-core";
import type * as tfl from "@tensorflow/tfjs-layers";
import { useBackend } from "../backend.js";
import { apiName, StrataError } from "../errors.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import { type ImageInputConfig, imageBatches } from "../images/batch-source.js";
import { overlayPaths, writeHeatmapOverlay } from "./heatmap-png.js";
import { imageMembers } from "./image-members.js";
import {
  convolutionLayers,
  flatLayers,
  type GraphRun,
  isSpatial,
  type Layer,
  runGraph,
} from "./layer-graph.js";
import type { ImageExplanation, MemberHeatmap } from "./types.js";

export interface ExplainImagesOptions {
  /** The layer the maps are taken at (default: the last convolutional layer). */
  readonly layer?: string;
  /** Writes each map's PNG overlay here (`<image>.<member>.gradcam.png`); absent: none. */
  readonly outDir?: string;
}

/** One network's Grad-CAM of a batch: a map per image, at the layer's resolution. */
export interface NetworkGradCam {
  readonly layer: string;
  /** [image][row][column], non-negative, each map summing to 1. */
  readonly maps: number[][][];
}

/** Images explained per forward and backward pass. */
const BATCH = 16;

/**
 * Grad-CAM (Selvaraju et al.) of each image, for each member of an ensemble beside its vote (a
 * single model is one member named by its kind): the map of the layer's activations weighted by
 * the spatial mean of the predicted class's gradient (its score before the softmax or sigmoid
 * where the network's last layer has one), through ReLU, summing to 1 (all zero: uniform). The
 * images are read as the member's predictProba reads them; the gradients run on TF.js's path.
 * With `outDir`, each map is also written as a PNG overlay on its image; an existing file there
 * is never replaced (a StrataError before any work).
 */
export async function explainImages(
  model: AnyClassifier,
  files: readonly string[],
  options: ExplainImagesOptions = {},
): Promise<ImageExplanation[]> {
  const members = imageMembers(model);
  const paths = options.outDir
    ? overlayPaths(
        options.outDir,
        files,
        members.map((m) => m.name),
      )
    : undefined;
  await useBackend();
  const perMember: MemberHeatmap[][] = [];
  for (const member of members) {
    const proba = await member.classifier.predictProba(files);
    const classes = member.classifier.classes;
    const predicted = Int32Array.from({ length: proba.rows }, (_, i) => {
      const row = proba.data.subarray(i * proba.cols, (i + 1) * proba.cols);
      return row.indexOf(Math.max(...row));
    });
    const cams = await gradCamFiles(member.network, files, classes, member.input, predicted, options.layer);
    perMember.push(
      cams.maps.map((heatmap, i) => ({
        name: member.name,
        label: classes[predicted[i]],
        probability: proba.data[i * proba.cols + predicted[i]],
        layer: cams.layer,
        heatmap,
      })),
    );
  }
  const explained: ImageExplanation[] = [];
  for (const [i, file] of files.entries()) {
    const heatmaps: MemberHeatmap[] = [];
    for (const [m, maps] of perMember.entries()) {
      const overlay = paths?.[i][m];
      if (overlay) await writeHeatmapOverlay(file, maps[i].heatmap, overlay);
      heatmaps.push(overlay ? { ...maps[i], overlay } : maps[i]);
    }
    explained.push({ file, members: heatmaps });
  }
  return explained;
}

/** Grad-CAM of image files for `classIndex` (one per file), read as `input` says, BATCH at a time. */
export async function gradCamFiles(
  network: tfl.LayersModel,
  files: readonly string[],
  classes: readonly string[],
  input: ImageInputConfig,
  classIndex: Int32Array,
  layerName?: string,
): Promise<NetworkGradCam> {
  const target = gradCamLayer(network, layerName);
  const batches = imageBatches(
    files.map((file) => ({ file, label: classes[0] })),
    classes,
    input,
    { batchSize: BATCH, strict: true },
  );
  const maps: number[][][] = [];
  for await (const batch of batches) {
    const x = tf.tensor4d(batch.x, [batch.n, input.size[0], input.size[1], input.channels]);
    try {
      maps.push(...(await gradCamTensor(network, target, x, classIndex.subarray(maps.length))));
    } finally {
      x.dispose();
    }
  }
  return { layer: target.name, maps };
}

/**
 * The layer Grad-CAM reads: `name` (any layer whose output is a feature map, nested models'
 * included), else the last convolutional layer.
 */
export function gradCamLayer(network: tfl.LayersModel, name?: string): Layer {
  const convolutions = convolutionLayers(network);
  if (name === undefined) {
    const last = convolutions.at(-1);
    if (!last)
      throw new StrataError(
        `Grad-CAM needs a convolutional model: ${network.name} has no convolutional layer`,
      );
    return last;
  }
  const found = flatLayers(network).find((l) => l.name === name && isSpatial(l));
  if (!found)
    throw new StrataError(
      `${apiName("layer", name)}: no layer of that name with a feature map in ${network.name}; its convolutional layers: ${convolutions.map((l) => l.name).join(", ")}`,
      { params: ["layer"] },
    );
  return found;
}

/** Grad-CAM maps of a batch x [n, h, w, c] for class classIndex[i] of image i. */
export async function gradCamTensor(
  network: tfl.LayersModel,
  target: Layer,
  x: tf.Tensor4D,
  classIndex: ArrayLike<number>,
): Promise<number[][][]> {
  const cam = tf.tidy(() => {
    const first: GraphRun = { target };
    runGraph(network, x, first, true);
    const activation = first.activation as tf.Tensor4D;
    const score = (a: tf.Tensor) => {
      const run: GraphRun = { target, replacement: a };
      const out = runGraph(network, x, run, true) as tf.Tensor2D;
      return classScore(out, classIndex, run.logits === true);
    };
    const gradient = tf.grad(score)(activation);
    const weights = tf.mean(gradient, [1, 2], true);
    return tf.relu(tf.sum(tf.mul(weights, activation), -1)) as tf.Tensor3D;
  });
  const values = (await cam.array()) as number[][][];
  cam.dispose();
  return values.map(normalized);
}

/**
 * The sum over the batch of each image's score for its class: the column of a softmax output
 * (or its logit), or for one sigmoid output (two classes) z or −z (1 − p or p for probabilities).
 */
function classScore(out: tf.Tensor2D, classIndex: ArrayLike<number>, logits: boolean): tf.Scalar {
  const n = out.shape[0];
  const picked = Int32Array.from({ length: n }, (_, i) => classIndex[i]);
  if (out.shape[1] === 1) {
    const positive = tf.tensor2d(Float32Array.from(picked), [n, 1]);
    // class 1: z (or p); class 0: −z (or 1 − p).
    return logits
      ? tf.sum(tf.mul(out, tf.sub(tf.mul(positive, 2), 1)))
      : tf.sum(tf.add(tf.mul(out, tf.sub(tf.mul(positive, 2), 1)), tf.sub(1, positive)));
  }
  const mask = tf.oneHot(tf.tensor1d(picked, "int32"), out.shape[1]);
  return tf.sum(tf.mul(out, mask));
}

/** A map scaled to sum 1; one without mass (or not finite) becomes uniform. */
function normalized(map: number[][]): number[][] {
  const total = map.reduce((s, row) => s + row.reduce((a, v) => a + v, 0), 0);
  const cells = map.length * (map[0]?.length ?? 0);
  if (!(total > 0) || !Number.isFinite(total)) return map.map((row) => row.map(() => 1 / cells));
  return map.map((row) => row.map((v) => v / total));
}
