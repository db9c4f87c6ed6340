import type { KernelConfig, TensorInfo } from "@tensorflow/tfjs-core";
import { nativeKernel } from "./define.js";

/**
 * Resizing follows TF.js's CPU kernels index for index (alignCorners, halfPixelCenters); like
 * them, the gradient kernels use only alignCorners.
 */
export const imageKernels: KernelConfig[] = [
  nativeKernel("ResizeBilinear", (b, { images }, attrs) => {
    const [h, w] = attrs.size as [number, number];
    return b.output(
      b.addon.resizeBilinear(
        b.handle(images as TensorInfo),
        h,
        w,
        Boolean(attrs.alignCorners),
        Boolean(attrs.halfPixelCenters),
      ),
    );
  }),
  nativeKernel("ResizeNearestNeighbor", (b, { images }, attrs) => {
    const [h, w] = attrs.size as [number, number];
    return b.output(
      b.addon.resizeNearest(
        b.handle(images as TensorInfo),
        h,
        w,
        Boolean(attrs.alignCorners),
        Boolean(attrs.halfPixelCenters),
      ),
    );
  }),
  nativeKernel("ResizeBilinearGrad", (b, { images, dy }, attrs) => {
    if ((dy as TensorInfo).dtype !== "float32") return null;
    return b.output(
      b.addon.resizeBilinearGrad(
        b.handle(images as TensorInfo),
        b.handle(dy as TensorInfo),
        Boolean(attrs.alignCorners),
      ),
    );
  }),
  nativeKernel("ResizeNearestNeighborGrad", (b, { images, dy }, attrs) => {
    if ((dy as TensorInfo).dtype !== "float32") return null;
    return b.output(
      b.addon.resizeNearestGrad(
        b.handle(images as TensorInfo),
        b.handle(dy as TensorInfo),
        Boolean(attrs.alignCorners),
      ),
    );
  }),
  nativeKernel("MirrorPad", (b, { x }, attrs) => {
    const paddings = (attrs.paddings as [number, number][]).flat();
    return b.output(b.addon.mirrorPad(b.handle(x as TensorInfo), paddings, attrs.mode === "reflect" ? 0 : 1));
  }),
];
