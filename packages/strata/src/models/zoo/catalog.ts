import type { ZooFormat, ZooMeta } from "./types.js";

/** A model shipped inside the strata package, under `zoo/<name>/`. */
export interface BuiltinEntry {
  readonly format: ZooFormat;
  readonly file: string;
  readonly meta: Required<Omit<ZooMeta, "architecture">>;
}

const IMAGENET_RGB = { channelOrder: "rgb", scaling: { kind: "divide", by: 255 } } as const;

/** Shipped models (all small enough for an npm package). */
export const BUILTIN: Readonly<Record<string, BuiltinEntry>> = {
  "darknet-tiny": {
    format: "tfjs-layers",
    file: "model.json",
    meta: {
      description:
        "Darknet tiny ImageNet classifier (pjreddie's Darknet, converted to Keras then TF.js by ml5)",
      trainedOn: "ImageNet-1k (ILSVRC 2012), 1000 classes",
      inputSize: [224, 224],
      preprocessing: IMAGENET_RGB,
      labels: { file: "labels_darknet_order.txt" },
      output: "logits",
      license: "MIT (ml5-data-and-models); Darknet weights public domain",
      source: "github.com/ml5js/ml5-data-and-models@0612a3e models/darknetclassifier/darknettiny",
      cut: {
        layer: "leaky_re_lu_14",
        note:
          "the last 512-channel block (conv2d_14, batch norm, leaky ReLU; 14x14x512 at 224 px) before the 1x1 " +
          "convolution heads (128, then 1000 logits): measured as the best frozen feature",
      },
      fullyConvolutional: true,
    },
  },
};

/**
 * Known models that are not shipped: registering one of these names with `addZooModel(name, path)`
 * fills in what its files do not say (labels, preprocessing, license, cut).
 */
export const PRESETS: Readonly<Record<string, ZooMeta>> = {
  "nsfwjs-mobilenet-v2": {
    description: "MobileNetV2 fine-tuned by NSFWJS on 5 classes (uint8-quantized TF.js layers model)",
    trainedOn: "ImageNet-initialised, fine-tuned on the NSFWJS 5-class image set",
    inputSize: [224, 224],
    preprocessing: IMAGENET_RGB,
    labels: { names: ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"] },
    output: "probabilities",
    license: "MIT (nsfwjs)",
    source: "npm nsfwjs@4.3.0 dist/models/mobilenet_v2",
    cut: {
      layer: "out_relu",
      note: "7x7x1280 feature map before the average pooling, Flatten and Dense head",
    },
    fullyConvolutional: false,
  },
  "nsfwjs-inception-v3": {
    description: "InceptionV3 fine-tuned by NSFWJS on 5 classes (uint8-quantized TF.js layers model)",
    trainedOn: "ImageNet-initialised, fine-tuned on the NSFWJS 5-class image set",
    inputSize: [299, 299],
    preprocessing: IMAGENET_RGB,
    labels: { names: ["Drawing", "Hentai", "Neutral", "Porn", "Sexy"] },
    output: "probabilities",
    license: "MIT (nsfwjs)",
    source: "npm nsfwjs@4.3.0 dist/models/inception_v3",
    cut: {
      layer: "mixed10",
      note: "8x8x2048 feature map before the average pooling, Flatten and Dense head",
    },
    fullyConvolutional: false,
  },
  "squeezenet-1.1": {
    description:
      "SqueezeNet 1.1 without its classifier (keras-squeezenet weights, converted from DeepScale's Caffe model)",
    trainedOn: "ImageNet-1k (ILSVRC 2012)",
    inputSize: [227, 227],
    // Caffe-style: BGR, ImageNet channel means subtracted, no scaling.
    preprocessing: {
      channelOrder: "bgr",
      scaling: { kind: "standardize", mean: [103.939, 116.779, 123.68], std: [1, 1, 1] },
    },
    output: "features",
    license: "MIT (keras-squeezenet); weights BSD-2-Clause (DeepScale)",
    source:
      "github.com/DeepCognition/keras-squeezenet@a73d433 squeezenet_weights_tf_dim_ordering_tf_kernels_notop.h5",
    architecture: "squeezenet-1.1",
    cut: { layer: "fire9/concat", note: "13x13x512 after fire9, where the network without conv10 ends" },
    fullyConvolutional: true,
  },
};
