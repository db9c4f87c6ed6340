import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { type AddonNeeds, addonFailure } from "./load-help.js";
import type { ProgramSpec } from "./program.js";

/** A handle on a libtorch tensor held by the addon. */
export type Handle = number;
export type NativeDtype = "float32" | "int32" | "bool";
export type NativeValues = Float32Array | Int32Array | Uint8Array;

/** The addon's functions (native/*.cc). Every op returns new handles; the caller releases them. */
export interface NativeAddon {
  setScratch(scratch: Int32Array): void;
  upload(values: NativeValues, shape: number[], dtype: NativeDtype): Handle;
  download(h: Handle): NativeValues;
  release(h: Handle): void;
  live(): number;
  setThreads(n: number): void;
  getThreads(): number;
  buildInfo(): { torchVersion: string; parallel: string };
  shapeOf(h: Handle): number[];
  dtypeOf(h: Handle): NativeDtype;

  unary(op: string, x: Handle): Handle;
  binary(op: string, a: Handle, b: Handle): Handle;
  unaryNames(): string[];
  binaryNames(): string[];
  cast(x: Handle, dtype: NativeDtype): Handle;
  step(x: Handle, alpha: number): Handle;
  clip(x: Handle, min: number, max: number): Handle;
  leakyRelu(x: Handle, alpha: number): Handle;
  select(condition: Handle, a: Handle, b: Handle): Handle;
  addN(xs: Handle[]): Handle;
  fill(shape: number[], value: number, dtype: NativeDtype): Handle;

  batchMatMul(a: Handle, b: Handle, transposeA: boolean, transposeB: boolean): Handle;
  fusedMatMul(
    a: Handle,
    b: Handle,
    bias: Handle | -1,
    prelu: Handle | -1,
    transposeA: boolean,
    transposeB: boolean,
    activation: string,
    leakyAlpha: number,
  ): Handle;
  softmax(x: Handle, dim: number): Handle;

  alias(x: Handle): Handle;
  reshape(x: Handle, shape: number[]): Handle;
  transpose(x: Handle, perm: number[]): Handle;
  slice(x: Handle, begin: number[], size: number[]): Handle;
  stridedSlice(x: Handle, begin: number[], strides: number[], counts: number[], finalShape: number[]): Handle;
  concat(xs: Handle[], axis: number): Handle;
  pad(x: Handle, paddings: number[], value: number): Handle;
  tile(x: Handle, reps: number[]): Handle;
  gather(x: Handle, indices: Handle, axis: number, batchDims: number): Handle;
  reverse(x: Handle, dims: number[]): Handle;
  stack(xs: Handle[], axis: number): Handle;
  unstack(x: Handle, axis: number): Handle[];
  split(x: Handle, sizes: number[], axis: number): Handle[];
  oneHot(indices: Handle, depth: number, on: number, off: number, dtype: NativeDtype): Handle;
  unsortedSegmentSum(x: Handle, ids: Handle, numSegments: number): Handle;

  adam(
    value: Handle,
    m: Handle,
    v: Handle,
    gradient: Handle,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    biasCorrection1: number,
    biasCorrection2: number,
  ): [Handle, Handle, Handle];

  /** Training-mode batch norm over all axes but the last: [y, mean, variance, invStd]. */
  batchNormTrain(
    x: Handle,
    scale: Handle | -1,
    offset: Handle | -1,
    epsilon: number,
  ): [Handle, Handle, Handle, Handle];
  /** Its gradient: [dx, dScale, dOffset]. */
  batchNormTrainGrad(
    dy: Handle,
    x: Handle,
    scale: Handle,
    mean: Handle,
    invStd: Handle,
    epsilon: number,
  ): [Handle, Handle, Handle];

  reduce(op: string, x: Handle, axes: number[], keepDims: boolean): Handle;
  argReduce(op: string, x: Handle, axis: number): Handle;

  conv2d(
    x: Handle,
    filter: Handle,
    bias: Handle | -1,
    prelu: Handle | -1,
    strides: number[],
    pads: number[],
    dilations: number[],
    depthwise: boolean,
    channelsFirst: boolean,
    activation: string,
    leakyAlpha: number,
  ): Handle;
  conv2dBackpropInput(
    dy: Handle,
    filter: Handle,
    inputShape: number[],
    strides: number[],
    pads: number[],
    dilations: number[],
    depthwise: boolean,
    channelsFirst: boolean,
  ): Handle;
  conv2dBackpropFilter(
    x: Handle,
    dy: Handle,
    filterShape: number[],
    strides: number[],
    pads: number[],
    dilations: number[],
    depthwise: boolean,
    channelsFirst: boolean,
  ): Handle;
  pool(op: "max" | "avg", x: Handle, kernel: number[], strides: number[], pads: number[]): Handle;
  poolGrad(
    op: "max" | "avg",
    dy: Handle,
    x: Handle,
    kernel: number[],
    strides: number[],
    pads: number[],
  ): Handle;
  batchNorm(
    x: Handle,
    mean: Handle,
    variance: Handle,
    offset: Handle | -1,
    scale: Handle | -1,
    epsilon: number,
  ): Handle;
  resizeBilinear(
    images: Handle,
    height: number,
    width: number,
    alignCorners: boolean,
    halfPixelCenters: boolean,
  ): Handle;
  resizeBilinearGrad(images: Handle, dy: Handle, alignCorners: boolean): Handle;
  resizeNearest(
    images: Handle,
    height: number,
    width: number,
    alignCorners: boolean,
    halfPixelCenters: boolean,
  ): Handle;
  resizeNearestGrad(images: Handle, dy: Handle, alignCorners: boolean): Handle;
  mirrorPad(x: Handle, paddings: number[], offset: 0 | 1): Handle;

  /** The native training step (native/train.cc; the program from src/compile.ts, run by src/network.ts). */
  compileProgram(spec: ProgramSpec): number;
  releaseProgram(program: number): void;
  trainStep(
    program: number,
    x: Handle,
    y: Handle,
    weights: Float32Array | null,
    rows: Int32Array | null,
    params: Int32Array,
    trained: Int32Array,
    moments: Int32Array,
    hyper: Float64Array,
    seed: number,
    out: Float64Array,
    /** With a data-parallel group: this rank's share of the global batch's rows (default 1). */
    gradientScale?: number,
  ): void;
  forwardProgram(program: number, x: Handle, params: Int32Array): Handle;
  evaluateProgram(
    program: number,
    x: Handle,
    y: Handle,
    params: Int32Array,
    batch: number,
    out: Float64Array,
  ): void;
  /** A copy of x's values under a new handle (not sharing its storage). */
  copy(x: Handle): Handle;

  /** Data-parallel training (native/dist.cc): whether this build has Gloo; the others exist only then. */
  distSupported?(): boolean;
  distInit?(rank: number, worldSize: number, masterAddr: string, masterPort: number, timeoutMs: number): void;
  distState?(): [number, number] | null;
  distAllreduceSum?(values: Float64Array): void;
  distBroadcast?(handles: Int32Array, root: number): void;
  distBarrier?(): void;
  distShutdown?(): void;
  /** The native step's reduction statistics (see stepReduceStats), and their reset. */
  distStepStats?(): Float64Array;
  distResetStepStats?(): void;
}

const ADDON = fileURLToPath(new URL("../build/tfjs_backend_torch.node", import.meta.url));

/** What the prebuilt addon links: Debian 12's libtorch 1.13 (its BLAS is OpenBLAS when libopenblas0 is there). */
export const TORCH_NEEDS: AddonNeeds = {
  pkg: "strata-ml-torch",
  library: "libtorch 1.13",
  sonames: /^lib(torch|torch_cpu|c10)\.so/,
  runtime: "libtorch1.13 libopenblas0",
  dev: "libtorch-dev g++",
};

/**
 * Loads the addon (the prebuilt one for linux-x64, or the one built at install), or throws an
 * Error whose message is one line: what is missing and the apt-get install that brings it.
 */
export function loadAddon(): NativeAddon {
  if (!existsSync(ADDON)) throw new Error(addonFailure(TORCH_NEEDS, ADDON, undefined));
  // libtorch's BLAS (OpenBLAS on Debian) starts its own thread pool beside libtorch's OpenMP
  // pool; both on every core over-subscribes them (measured here: 2-3x slower steps). libtorch
  // parallelises around BLAS calls itself, so BLAS gets one thread unless the user says otherwise.
  // OpenBLAS reads this when the addon loads it, so it must be set before the require.
  process.env.OPENBLAS_NUM_THREADS ??= "1";
  // OpenMP's default is to spin while waiting for work; between TF.js's many small kernels its
  // idle threads then compete with Node's own thread (measured: a CNN step 3x slower on 2 threads).
  process.env.OMP_WAIT_POLICY ??= "PASSIVE";
  const require = createRequire(import.meta.url);
  try {
    return require(ADDON) as NativeAddon;
  } catch (e) {
    throw new Error(addonFailure(TORCH_NEEDS, ADDON, e));
  }
}
