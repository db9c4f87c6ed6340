import type { PixelScaling } from "../../images/pixels.js";

/** How a zoo model is stored. */
export type ZooFormat =
  /** A TF.js layers model folder: model.json and weight shards. */
  | "tfjs-layers"
  /** A Keras weights-only .h5 whose architecture strata defines in code (see {@link ZooArchitecture}). */
  | "keras-h5-weights+architecture"
  /** A whole Keras 2 .h5 model (topology and weights). */
  | "keras-h5"
  /** A Keras 3 .keras archive. */
  | "keras-archive";

/** Architectures strata builds in code, for weights-only files. */
export type ZooArchitecture = "squeezenet-1.1";

/** What the network expects of an RGB image with values 0..255: channel order, then scaling. */
export interface ZooPreprocessing {
  /** "bgr" for Caffe-converted networks: channels are reversed before scaling. */
  readonly channelOrder: "rgb" | "bgr";
  /** Applied after the reorder; for "standardize", mean and std are in the network's channel order. */
  readonly scaling: PixelScaling;
}

/** Class names of the output units: a file in the model's folder (one name a line) or a list. */
export interface ZooLabels {
  readonly file?: string;
  readonly names?: readonly string[];
}

/** Where to cut the network for transfer learning: the output of `layer` is the frozen feature. */
export interface ZooCut {
  readonly layer: string;
  /** Why this layer (shape, what was measured). */
  readonly note: string;
}

/** What a user (or a known preset) tells the zoo about a model; the rest is read from its files. */
export interface ZooMeta {
  readonly description?: string;
  readonly trainedOn?: string;
  /** [height, width] the network was trained at (read from the model when it declares one). */
  readonly inputSize?: readonly [number, number];
  readonly preprocessing?: ZooPreprocessing;
  readonly labels?: ZooLabels;
  /** What the last layer gives: class logits (apply softmax), probabilities, or features (no classifier). */
  readonly output?: "logits" | "probabilities" | "features";
  readonly license?: string;
  readonly source?: string;
  readonly architecture?: ZooArchitecture;
  readonly cut?: ZooCut;
  /** True when any input size works (no Flatten of spatial features). */
  readonly fullyConvolutional?: boolean;
}

/** A zoo entry: everything needed to load the model, feed it, and read its output. */
export interface ZooInfo extends Required<Omit<ZooMeta, "labels" | "architecture" | "cut">> {
  readonly name: string;
  readonly format: ZooFormat;
  readonly labels?: ZooLabels;
  readonly architecture?: ZooArchitecture;
  readonly cut?: ZooCut;
  /** Number of weight values (trainable and not). */
  readonly params: number;
  /** Bytes of its files on disk. */
  readonly bytes: number;
  /** Shipped inside the strata package (true) or registered into the cache (false). */
  readonly builtin: boolean;
  /** The folder holding its files. */
  readonly dir: string;
  /** The file to load, relative to `dir`: model.json, the .h5 or the .keras archive. */
  readonly file: string;
}
