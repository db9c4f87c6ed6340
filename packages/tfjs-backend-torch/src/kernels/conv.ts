import { backend_util, type KernelConfig, type NamedAttrMap, type TensorInfo } from "@tensorflow/tfjs-core";
import type { TorchBackend } from "../backend.js";
import { nativeKernel } from "./define.js";
import { imageKernels } from "./image.js";
import { batchNormTrainKernels, normKernels } from "./norm.js";
import { poolKernels } from "./pool.js";
import { allFloat32, matchesOutput, windowPads } from "./window.js";

type Shape4 = [number, number, number, number];
type Pad = "valid" | "same" | number | backend_util.ExplicitPadding;
type Rounding = "floor" | "round" | "ceil" | undefined;

const ACTIVATIONS = new Set(["linear", "relu", "relu6", "elu", "sigmoid", "leakyrelu", "prelu"]);

/** The geometry of a conv kernel call, resolved by TF.js's own computeConv2DInfo. */
function convInfo(
  xShape: number[],
  filterShape: number[],
  attrs: NamedAttrMap,
  depthwise: boolean,
  dilations: number | [number, number] = (attrs.dilations as number | [number, number] | undefined) ?? 1,
): { info: backend_util.Conv2DInfo; channelsFirst: boolean } {
  const channelsFirst = !depthwise && attrs.dataFormat === "NCHW";
  const info = backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides as number | [number, number],
    dilations,
    attrs.pad as Pad,
    attrs.dimRoundingMode as Rounding,
    depthwise,
    channelsFirst ? "channelsFirst" : "channelsLast",
  );
  return { info, channelsFirst };
}

/** Conv2D, DepthwiseConv2dNative and their fused forms (bias and activation applied in libtorch). */
function forward(name: string, depthwise: boolean, fused: boolean): KernelConfig {
  return nativeKernel(name, (b, { x, filter, bias, preluActivationWeights: prelu }, attrs) => {
    const xt = x as TensorInfo;
    const ft = filter as TensorInfo;
    if (!allFloat32(xt, ft, bias, prelu)) return null;
    const { info, channelsFirst } = convInfo(xt.shape, ft.shape, attrs, depthwise);
    const pads = windowPads(info);
    const activation = fused ? ((attrs.activation as string | undefined) ?? "linear") : "linear";
    if (pads === null || !ACTIVATIONS.has(activation)) return null;
    if (activation === "prelu" && prelu === undefined) return null;
    // TF.js aligns a 1-D prelu weight with NCHW's channel dim; the addon broadcasts it over the last dim.
    if (channelsFirst && activation === "prelu" && prelu!.shape.length === 1 && prelu!.shape[0] !== 1)
      return null;
    return b.output(
      b.addon.conv2d(
        b.handle(xt),
        b.handle(ft),
        fused && bias ? b.handle(bias) : -1,
        activation === "prelu" ? b.handle(prelu!) : -1,
        [info.strideHeight, info.strideWidth],
        pads,
        [info.dilationHeight, info.dilationWidth],
        depthwise,
        channelsFirst,
        activation,
        (attrs.leakyreluAlpha as number | undefined) ?? 0.2,
      ),
    );
  });
}

function backpropInput(
  b: TorchBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: NamedAttrMap,
  depthwise: boolean,
) {
  if (!allFloat32(dy, filter)) return null;
  const inputShape = attrs.inputShape as number[];
  const { info, channelsFirst } = convInfo(
    inputShape,
    filter.shape,
    attrs,
    depthwise,
    depthwise ? ((attrs.dilations as [number, number] | undefined) ?? 1) : 1,
  );
  const pads = windowPads(info);
  if (pads === null || !matchesOutput(dy, info.outShape)) return null;
  return b.output(
    b.addon.conv2dBackpropInput(
      b.handle(dy),
      b.handle(filter),
      inputShape,
      [info.strideHeight, info.strideWidth],
      pads,
      [info.dilationHeight, info.dilationWidth],
      depthwise,
      channelsFirst,
    ),
  );
}

function backpropFilter(
  b: TorchBackend,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: NamedAttrMap,
  depthwise: boolean,
) {
  if (!allFloat32(x, dy)) return null;
  const filterShape = attrs.filterShape as number[];
  const { info, channelsFirst } = convInfo(
    x.shape,
    filterShape,
    attrs,
    depthwise,
    depthwise ? ((attrs.dilations as [number, number] | undefined) ?? 1) : 1,
  );
  const pads = windowPads(info);
  if (pads === null || !matchesOutput(dy, info.outShape)) return null;
  return b.output(
    b.addon.conv2dBackpropFilter(
      b.handle(x),
      b.handle(dy),
      filterShape,
      [info.strideHeight, info.strideWidth],
      pads,
      [info.dilationHeight, info.dilationWidth],
      depthwise,
      channelsFirst,
    ),
  );
}

export const convKernels: KernelConfig[] = [
  forward("Conv2D", false, false),
  forward("FusedConv2D", false, true),
  forward("DepthwiseConv2dNative", true, false),
  forward("FusedDepthwiseConv2D", true, true),
  nativeKernel("Conv2DBackpropInput", (b, { dy, filter }, attrs) =>
    backpropInput(b, dy as TensorInfo, filter as TensorInfo, attrs, false),
  ),
  nativeKernel("DepthwiseConv2dNativeBackpropInput", (b, { dy, filter }, attrs) =>
    backpropInput(b, dy as TensorInfo, filter as TensorInfo, attrs, true),
  ),
  nativeKernel("Conv2DBackpropFilter", (b, { x, dy }, attrs) =>
    backpropFilter(b, x as TensorInfo, dy as TensorInfo, attrs, false),
  ),
  nativeKernel("DepthwiseConv2dNativeBackpropFilter", (b, { x, dy }, attrs) =>
    backpropFilter(b, x as TensorInfo, dy as TensorInfo, attrs, true),
  ),
];

/** Every CNN kernel: convolutions, pools, batch norm, image resizing, mirror padding. */
export const cnnKernels: KernelConfig[] = [
  ...convKernels,
  ...poolKernels,
  ...normKernels,
  ...batchNormTrainKernels,
  ...imageKernels,
];
