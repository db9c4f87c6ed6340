import type onnxProto from "onnx-proto";

type NodeProto = onnxProto.onnx.NodeProto;

/**
 * What a float constant is, for --quantize and the parameter count:
 * - "weight": a learned weight tensor (a dense or convolution kernel, an embedding): counted as
 *   parameters, and stored as float16 or uint8 under --quantize;
 * - "parameter": a learned tensor kept float32 (a bias, batch-norm scale, shift and statistics):
 *   counted only;
 * - "constant": the rest (scalars, preprocessing's means and stds, one-hot maps).
 * A writer may say which (GraphBuilder.floats' `role`); else `inferRole` decides.
 */
export type FloatRole = "weight" | "parameter" | "constant";

/** Who reads each value: the node and the input's position. */
export type Readers = ReadonlyMap<string, readonly { readonly node: NodeProto; readonly index: number }[]>;

/** The readers of every value of `nodes`, and the operator that made each node output. */
export function graphIndex(nodes: readonly NodeProto[]): {
  readers: Readers;
  producers: ReadonlyMap<string, string>;
} {
  const readers = new Map<string, { node: NodeProto; index: number }[]>();
  const producers = new Map<string, string>();
  for (const node of nodes) {
    node.input.forEach((input, index) => {
      const list = readers.get(input) ?? [];
      list.push({ node, index });
      readers.set(input, list);
    });
    for (const output of node.output) producers.set(output, node.opType);
  }
  return { readers, producers };
}

/** Operators whose output a bias is added to. */
const LINEAR = new Set(["MatMul", "Gemm", "Conv", "ConvTranspose"]);

/**
 * The role of a float constant whose writer did not say, from its shape, values and readers:
 * - a weight when it has rank ≥ 2, a first dimension longer than 1 (a dense kernel [in, out], a
 *   convolution kernel [out, in, kh, kw], an embedding [vocab, dim]) and values other than 0 and
 *   1. So broadcast rows ([1, n] per-column means and stds, [1, 1, 1, 3] per-channel ones) are
 *   not weights, nor are one-hot or selection maps (only 0s and 1s: structure, not learning);
 * - a parameter when it is a vector read as a bias (added to a MatMul's, Gemm's or convolution's
 *   output, or their bias input) or by BatchNormalization (scale, shift, mean, variance);
 * - a constant otherwise.
 * The rule is about shapes, not names, so a writer that transposes a kernel in the graph still
 * has it counted and quantized.
 */
export function inferRole(
  name: string,
  values: ArrayLike<number>,
  dims: readonly number[],
  index: { readonly readers: Readers; readonly producers: ReadonlyMap<string, string> },
): FloatRole {
  if (dims.length >= 2 && dims[0] > 1) {
    for (let i = 0; i < values.length; i++) if (values[i] !== 0 && values[i] !== 1) return "weight";
    return "constant";
  }
  if (dims.length !== 1) return "constant";
  const learned = (index.readers.get(name) ?? []).every(({ node, index: at }) => {
    if (node.opType === "BatchNormalization") return at >= 1;
    if (node.opType === "Conv" || node.opType === "ConvTranspose" || node.opType === "Gemm") return at === 2;
    if (node.opType !== "Add") return false;
    const other = node.input[1 - at];
    return LINEAR.has(index.producers.get(other) ?? "");
  });
  return learned && (index.readers.get(name) ?? []).length > 0 ? "parameter" : "constant";
}

/**
 * The output-channel axis of a weight from the nodes that read it, for per-channel uint8: the
 * last axis of MatMul's B ([inputs, outputs]), axis 0 of Conv's W ([out, in, kh, kw]), axis 1 of
 * ConvTranspose's W, Gemm's B by its transB. Undefined (one scale for the tensor) when a weight
 * is read otherwise (an embedding's Gather, a Transpose), or by nodes that disagree.
 */
export function outputChannelAxis(name: string, rank: number, readers: Readers): number | undefined {
  const axes = new Set<number | undefined>();
  for (const { node, index } of readers.get(name) ?? []) {
    if (index !== 1) axes.add(undefined);
    else if (node.opType === "MatMul") axes.add(rank - 1);
    else if (node.opType === "Conv") axes.add(0);
    else if (node.opType === "ConvTranspose") axes.add(1);
    else if (node.opType === "Gemm")
      axes.add(Number(node.attribute.find((a) => a.name === "transB")?.i ?? 0) === 1 ? 0 : 1);
    else axes.add(undefined);
  }
  return axes.size === 1 ? [...axes][0] : undefined;
}
