import {
  backend_util,
  type KernelConfig,
  type NamedTensorInfoMap,
  slice_util,
  type Tensor,
  type TensorInfo,
  util,
} from "@tensorflow/tfjs-core";
import type { TorchBackend } from "../backend.js";
import type { NativeDtype } from "../native.js";
import { nativeKernel } from "./define.js";

/**
 * A reshape shares x's data under the new shape (as the CPU kernel does): no native call now;
 * a native kernel that reads it later gets a libtorch view of that shape (TorchTensorData.handleFor).
 */
function reshaped(b: TorchBackend, x: TensorInfo, shape: number[]): TensorInfo {
  b.incRef(x.dataId);
  return { dataId: x.dataId, shape, dtype: x.dtype };
}

function list(inputs: NamedTensorInfoMap): TensorInfo[] {
  return Object.values(inputs) as TensorInfo[];
}

export const shapeKernels: KernelConfig[] = [
  // Like the CPU kernel: the same data under one more reference, not a new data id (the engine
  // clones tensors it saves for gradients, and counts new data ids as leaks in tests).
  nativeKernel("Identity", (b, { x }) => {
    const t = x as TensorInfo;
    b.incRef(t.dataId);
    return { dataId: t.dataId, shape: t.shape, dtype: t.dtype };
  }),
  nativeKernel("Reshape", (b, { x }, attrs) => {
    const t = x as TensorInfo;
    return reshaped(b, t, util.inferFromImplicitShape(attrs.shape as number[], util.sizeFromShape(t.shape)));
  }),
  nativeKernel("ExpandDims", (b, { input }, attrs) => {
    const t = input as TensorInfo;
    const rank = t.shape.length;
    let dim = attrs.dim as number;
    if (dim < 0) {
      // As the CPU kernel checks.
      util.assert(-(rank + 1) <= dim, () => `Axis must be in the interval [${-(rank + 1)}, ${rank}]`);
      dim += rank + 1;
    }
    const shape = t.shape.slice();
    shape.splice(dim, 0, 1);
    return reshaped(b, t, shape);
  }),
  nativeKernel("Squeeze", (b, { x }, attrs) => {
    const t = x as TensorInfo;
    const axis = attrs.axis as number[] | undefined;
    const { newShape } = util.squeezeShape(
      t.shape,
      util.parseAxisParam(axis ?? [], t.shape).length ? axis : undefined,
    );
    return reshaped(b, t, newShape);
  }),
  nativeKernel("Transpose", (b, { x }, attrs) =>
    b.output(b.addon.transpose(b.handle(x as TensorInfo), attrs.perm as number[])),
  ),
  nativeKernel("Slice", (b, { x }, attrs) => {
    const t = x as TensorInfo;
    const [begin, size] = slice_util.parseSliceParams(
      t as Tensor,
      attrs.begin as number[],
      attrs.size as number[],
    );
    slice_util.assertParamsValid(t as Tensor, begin, size);
    return b.output(b.addon.slice(b.handle(t), begin, size));
  }),
  nativeKernel("StridedSlice", (b, { x }, attrs) => {
    const t = x as TensorInfo;
    const info = slice_util.sliceInfo(
      t.shape,
      attrs.begin as number[],
      attrs.end as number[],
      attrs.strides as number[],
      attrs.beginMask as number,
      attrs.endMask as number,
      attrs.ellipsisMask as number,
      attrs.newAxisMask as number,
      attrs.shrinkAxisMask as number,
    );
    if (info.isIdentity) return reshaped(b, t, info.finalShape);
    // Elements taken along each input dim. (finalShapeSparse, used here before, drops shrunk
    // axes, so it had fewer entries than the input's rank and the addon read past its end.)
    const counts = slice_util.computeOutShape(info.begin, info.end, info.strides).map((c) => Math.max(0, c));
    return b.output(b.addon.stridedSlice(b.handle(t), info.begin, info.strides, counts, info.finalShape));
  }),
  nativeKernel("Concat", (b, inputs, attrs) => {
    const xs = list(inputs);
    const axis = util.parseAxisParam(attrs.axis as number, xs[0].shape)[0];
    backend_util.assertParamsConsistent(
      xs.map((t) => t.shape),
      axis,
    );
    const nonEmpty = xs.filter((t) => util.sizeFromShape(t.shape) > 0);
    if (nonEmpty.length === 0) return null;
    return b.output(
      b.addon.concat(
        nonEmpty.map((t) => b.handle(t)),
        axis,
      ),
    );
  }),
  nativeKernel("Pack", (b, inputs, attrs) => {
    const xs = list(inputs);
    const axis = attrs.axis as number;
    // As the CPU kernel checks (libtorch would promote mixed dtypes).
    for (const t of xs) {
      util.assertShapesMatch(xs[0].shape, t.shape, "All tensors passed to stack must have matching shapes");
      util.assert(xs[0].dtype === t.dtype, () => "All tensors passed to stack must have matching dtypes");
    }
    return b.output(
      b.addon.stack(
        xs.map((t) => b.handle(t)),
        axis < 0 ? axis + xs[0].shape.length + 1 : axis,
      ),
    );
  }),
  nativeKernel("Unpack", (b, { value }, attrs) => {
    const t = value as TensorInfo;
    const axis = util.parseAxisParam(attrs.axis as number, t.shape)[0];
    return b.addon.unstack(b.handle(t), axis).map((h) => b.outputOf(h));
  }),
  nativeKernel("SplitV", (b, { x }, attrs) => {
    const t = x as TensorInfo;
    const axis = util.parseAxisParam(attrs.axis as number, t.shape)[0];
    const sizes = backend_util.prepareSplitSize(
      t as Tensor,
      attrs.numOrSizeSplits as number | number[],
      axis,
    );
    return b.addon.split(b.handle(t), sizes, axis).map((h) => b.outputOf(h));
  }),
  nativeKernel("PadV2", (b, { x }, attrs) => {
    const value = attrs.constantValue as number;
    if ((x as TensorInfo).dtype === "bool" && value !== 0 && value !== 1) return null; // TF.js keeps the byte
    const paddings = (attrs.paddings as [number, number][]).flat();
    return b.output(b.addon.pad(b.handle(x as TensorInfo), paddings, value));
  }),
  nativeKernel("Tile", (b, { x }, attrs) =>
    b.output(b.addon.tile(b.handle(x as TensorInfo), attrs.reps as number[])),
  ),
  nativeKernel("GatherV2", (b, { x, indices }, attrs) => {
    const t = x as TensorInfo;
    const axis = util.parseAxisParam(attrs.axis as number, t.shape)[0];
    let batchDims = (attrs.batchDims as number | undefined) ?? 0;
    // The CPU kernel's checks of batchDims against the shapes (it throws TF.js's messages).
    backend_util.segment_util.collectGatherOpShapeInfo(t as Tensor, indices as Tensor, axis, batchDims);
    if (batchDims < 0) batchDims += (indices as TensorInfo).shape.length;
    const h = b.addon.gather(b.handle(t), b.handle(indices as TensorInfo), axis, batchDims);
    // -1: an index is out of range; the CPU kernel throws TF.js's error for it.
    return h < 0 ? null : b.output(h);
  }),
  nativeKernel("Reverse", (b, { x }, attrs) => {
    const t = x as TensorInfo;
    return b.output(
      b.addon.reverse(b.handle(t), util.parseAxisParam(attrs.dims as number | number[], t.shape)),
    );
  }),
  nativeKernel("OneHot", (b, { indices }, attrs) =>
    b.output(
      b.addon.oneHot(
        b.handle(indices as TensorInfo),
        attrs.depth as number,
        attrs.onValue as number,
        attrs.offValue as number,
        attrs.dtype as NativeDtype,
      ),
    ),
  ),
  // Bool x goes to the CPU kernel (whose result is float32).
  nativeKernel("UnsortedSegmentSum", (b, { x, segmentIds }, attrs) =>
    (x as TensorInfo).dtype === "bool"
      ? null
      : b.output(
          b.addon.unsortedSegmentSum(
            b.handle(x as TensorInfo),
            b.handle(segmentIds as TensorInfo),
            attrs.numSegments as number,
          ),
        ),
  ),
];
