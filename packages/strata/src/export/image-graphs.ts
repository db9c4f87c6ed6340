import type * as tfl from "@tensorflow/tfjs-layers";
import { StrataError } from "../errors.js";
import type { AnyClassifier } from "../estimators/estimator.js";
import type { ImageParams } from "../estimators/image-params.js";
import { RAW } from "../estimators/transfer-info.js";
import type { ExportContext } from "./export-context.js";
import type { KindGraph } from "./kind-graph.js";
import type { Value } from "./layer-values.js";
import { addClassifierNetwork } from "./layers-graph.js";
import { luminance, scalePixels } from "./pixels-graph.js";

/*
 * The image kinds (cnn, image-dense, transfer) as ONNX. Each reads the graph's one image input,
 * float32 [n, height, width, 3], RGB values 0–255 at the model's size, and does what strata's
 * predict does after decoding: a one-channel model's conversion to gray (pixels-graph.ts), the
 * model's pixel scaling, then the network as TF.js runs it (layers-graph.ts).
 *
 * The input is what strata's decoder gives (images/decode.ts decodeImageBytes, with sharp):
 * EXIF orientation applied, the first frame of an animation, transparency flattened over white,
 * converted to sRGB, then resized with fit "fill" (stretched to exactly width × height,
 * ignoring the aspect ratio) by sharp's default kernel, lanczos3; 8 bits a channel. An image
 * already at the model's size is not resized. Feeding the graph those values gives strata's
 * probabilities; another resize (a browser canvas's bilinear, PIL's) gives slightly different
 * pixels, and so slightly different probabilities. A grayscale model reads RGB too: sharp
 * resizes in RGB and converts after, which the graph's conversion repeats exactly.
 */

/** What the writers read of a CNN or a dense network on pixels (CnnClassifier, ImageDenseClassifier). */
interface ScratchImageModel {
  readonly params: ImageParams;
  readonly network: tfl.LayersModel;
}

/** A network trained from scratch (classifier or regressor) and its input: pixels → (gray) → scaled. */
export function scratchImageInput(
  ctx: ExportContext,
  model: unknown,
): { network: tfl.LayersModel; input: Value } {
  const { params: p, network } = model as ScratchImageModel;
  const [height, width] = p.size;
  let x = ctx.image(height, width);
  if (p.channels === 1) x = luminance(ctx.g, x);
  x = scalePixels(ctx.g, x, p.scaling, p.channels);
  return { network, input: { name: x, shape: [height, width, p.channels], layout: "nhwc" } };
}

/**
 * A transfer network (classifier or regressor) and its input: the raw pixels at the network's
 * size, unscaled (RAW), as predict feeds it.
 */
export function transferImageInput(
  ctx: ExportContext,
  model: unknown,
): { network: tfl.LayersModel; input: Value } {
  const network = (model as { network: tfl.LayersModel }).network;
  const [, height, width, channels] = network.inputs[0].shape;
  if (!height || !width || channels !== 3)
    throw new StrataError(
      `the transfer network takes ${JSON.stringify(network.inputs[0].shape)}, not RGB images of one size`,
    );
  const x = scalePixels(ctx.g, ctx.image(height, width), RAW, 3);
  return { network, input: { name: x, shape: [height, width, 3], layout: "nhwc" } };
}

/** Pixels → (gray) → scaled → the network trained from scratch. */
function scratchImage(ctx: ExportContext, model: AnyClassifier): string {
  const { network, input } = scratchImageInput(ctx, model);
  return addClassifierNetwork(ctx.g, network, input);
}

/** A CNN (kind cnn; an earlier strata's kind "image" with model "cnn" loads as one). */
export const cnnGraph: KindGraph = { kind: "cnn", probabilities: scratchImage };

/** A dense network on the flattened pixels (kind image-dense; "image" with model "dense"). */
export const imageDenseGraph: KindGraph = { kind: "image-dense", probabilities: scratchImage };

/**
 * A transfer model is one saved TF.js network from raw RGB pixels: its frozen 1×1 convolution
 * "preprocess" (the backbone's channel order and scaling), the backbone cut where the fit cut it
 * (a model nested as a layer), global average pooling and the head (a nested model too). Predict
 * feeds it the decoded pixels unscaled (RAW), so the graph runs that network as it is: the
 * cached features and split trunk of training are the same layers.
 */
export const transferGraph: KindGraph = {
  kind: "transfer",
  probabilities: (ctx, model) => {
    const { network, input } = transferImageInput(ctx, model);
    return addClassifierNetwork(ctx.g, network, input);
  },
};
