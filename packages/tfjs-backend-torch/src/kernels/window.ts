import type { backend_util } from "@tensorflow/tfjs-core";

/** The spatial fields of TF.js's Conv2DInfo / Conv3DInfo that fix a window op's geometry. */
type WindowInfo = Pick<
  backend_util.Conv2DInfo,
  "inHeight" | "inWidth" | "outHeight" | "outWidth" | "strideHeight" | "strideWidth"
> &
  Pick<backend_util.Conv2DInfo, "effectiveFilterHeight" | "effectiveFilterWidth"> & {
    padInfo: { top: number; left: number; front?: number };
    inDepth?: number;
    outDepth?: number;
    strideDepth?: number;
    effectiveFilterDepth?: number;
  };

function axisPads(inSize: number, outSize: number, stride: number, filter: number, before: number): number[] {
  // The trailing pad that makes the window op produce exactly outSize outputs; negative when the
  // last input rows are never read (e.g. 'valid' with a stride that does not divide evenly).
  return [before, (outSize - 1) * stride + filter - inSize - before];
}

/**
 * Padding for the addon's window ops (conv, pool): per spatial dim [before, after], from TF.js's
 * resolved padding and output size, so that any padding mode and dimRoundingMode give TF.js's
 * exact result. Null when the output is empty (the CPU kernel then handles or rejects it).
 */
export function windowPads(info: WindowInfo): number[] | null {
  if (info.outHeight <= 0 || info.outWidth <= 0 || (info.outDepth ?? 1) <= 0) return null;
  const pads: number[] = [];
  if (info.inDepth !== undefined) {
    pads.push(
      ...axisPads(
        info.inDepth,
        info.outDepth!,
        info.strideDepth!,
        info.effectiveFilterDepth!,
        info.padInfo.front ?? 0,
      ),
    );
  }
  pads.push(
    ...axisPads(
      info.inHeight,
      info.outHeight,
      info.strideHeight,
      info.effectiveFilterHeight,
      info.padInfo.top,
    ),
    ...axisPads(info.inWidth, info.outWidth, info.strideWidth, info.effectiveFilterWidth, info.padInfo.left),
  );
  return pads;
}

/** True when every tensor given is float32 (the dtype libtorch's convolutions and pools run in here). */
export function allFloat32(...ts: ({ dtype: string } | undefined)[]): boolean {
  return ts.every((t) => t === undefined || t.dtype === "float32");
}

/**
 * True when a gradient's dy has the forward op's output shape. TF.js's gradient functions drop
 * dimRoundingMode, so with 'ceil' or 'round' they can pass a dy of another size; the CPU kernel's
 * result is then the only reference, so those calls go to it.
 */
export function matchesOutput(dy: { shape: number[] }, outShape: readonly number[]): boolean {
  return dy.shape.length === outShape.length && dy.shape.every((d, i) => d === outShape[i]);
}
