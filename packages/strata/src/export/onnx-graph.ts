import onnxProto from "onnx-proto";
import {
  float16Weight,
  MIN_QUANTIZED_ELEMENTS,
  type Quantize,
  type StoredWeight,
  uint8Weight,
} from "./quantize-weights.js";
import { type FloatRole, graphIndex, inferRole, outputChannelAxis } from "./weight-roles.js";

export type { FloatRole } from "./weight-roles.js";

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

/** The ONNX domain of the classic ML operators (Imputer, OneHotEncoder, tree ensembles). */
export const ML = "ai.onnx.ml";
/**
 * The opsets every graph strata writes imports: onnxruntime (node, web, mobile) runs both, and
 * Debian's ONNX checker (onnx 1.12) knows them. A graph that needs a newer operator raises its
 * own import with GraphBuilder.requireOpset.
 */
export const OPSETS: readonly { readonly domain: string; readonly version: number }[] = [
  { domain: "", version: 15 },
  { domain: ML, version: 3 },
];

/**
 * An attribute value, typed explicitly: ONNX refuses an attribute whose type differs from the
 * op's schema, and a JS number cannot say whether 5 is an int or a float.
 */
export type Attr =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: ArrayLike<number> }
  | { readonly string: string }
  | { readonly strings: readonly string[] };

function attribute(name: string, v: Attr): onnxProto.onnx.AttributeProto {
  const a = onnx.AttributeProto.create({ name });
  if ("int" in v) Object.assign(a, { type: A.INT, i: v.int });
  else if ("float" in v) Object.assign(a, { type: A.FLOAT, f: v.float });
  else if ("ints" in v) Object.assign(a, { type: A.INTS, ints: [...v.ints] });
  else if ("floats" in v) Object.assign(a, { type: A.FLOATS, floats: Array.from(v.floats) });
  else if ("string" in v) Object.assign(a, { type: A.STRING, s: Buffer.from(v.string) });
  else Object.assign(a, { type: A.STRINGS, strings: v.strings.map((s) => Buffer.from(s)) });
  return a;
}

function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === "string" ? { dimParam: d } : { dimValue: d })),
        }),
      }),
    }),
  });
}

export type ElemType = "float" | "string" | "int64";

interface FloatConstant {
  readonly name: string;
  readonly values: Float32Array;
  readonly dims: readonly number[];
  /** As the writer said; else inferred at encode (inferRole), when every reader is known. */
  readonly role?: FloatRole;
}
const ELEM: Record<ElemType, number> = { float: T.FLOAT, string: T.STRING, int64: T.INT64 };

/**
 * A graph under construction: nodes in order, constants as initializers, fresh names for
 * intermediate values. Every method returns the name of the value it made.
 */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.NodeProto[] = [];
  private readonly initializers: onnxProto.onnx.TensorProto[] = [];
  private readonly inputs: onnxProto.onnx.ValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.ValueInfoProto[] = [];
  private readonly valueInfo: onnxProto.onnx.ValueInfoProto[] = [];
  /** Float constants, written at encode (as float32, or quantized when they are weights). */
  private readonly floatConstants: FloatConstant[] = [];
  private count = 0;
  private readonly opsets = new Map(OPSETS.map((o) => [o.domain, o.version]));
  private learned = 0;
  private quantized = 0;

  /** `quantize`: how weight tensors are stored (float32 when absent). */
  constructor(private readonly options: { readonly quantize?: Quantize } = {}) {}

  /** The number of learned values (elements of the "weight" and "parameter" constants), after encode. */
  get parameters(): number {
    return this.learned;
  }

  /** Raises the graph's import of `domain` to at least `version` (for an operator newer than OPSETS). */
  requireOpset(domain: string, version: number): void {
    this.opsets.set(domain, Math.max(this.opsets.get(domain) ?? 0, version));
  }

  /** A fresh value name starting with `hint`. */
  name(hint: string): string {
    return `strata/${hint}_${this.count++}`;
  }

  input(name: string, type: ElemType, dims: readonly (number | string)[]): string {
    this.inputs.push(valueInfo(name, ELEM[type], dims));
    return name;
  }

  output(name: string, type: ElemType, dims: readonly (number | string)[]): void {
    this.outputs.push(valueInfo(name, ELEM[type], dims));
  }

  /**
   * Declares an intermediate value's type and shape, for the ai.onnx.ml ops whose schemas infer
   * none (the ONNX checker's full check needs every input typed).
   */
  declare(name: string, type: ElemType, dims: readonly (number | string)[]): string {
    this.valueInfo.push(valueInfo(name, ELEM[type], dims));
    return name;
  }

  /** Adds a node; returns its outputs' names (fresh ones unless `outputs` names them). */
  node(
    op: string,
    inputs: readonly string[],
    attrs: Readonly<Record<string, Attr>> = {},
    options: { domain?: string; outputs?: readonly string[] | number } = {},
  ): string[] {
    const outs =
      typeof options.outputs === "object"
        ? [...options.outputs]
        : Array.from({ length: options.outputs ?? 1 }, () => this.name(op.toLowerCase()));
    this.nodes.push(
      onnx.NodeProto.create({
        opType: op,
        domain: options.domain ?? "",
        name: this.name(`node_${op}`),
        input: [...inputs],
        output: outs,
        attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
      }),
    );
    return outs;
  }

  /** A one-output node. */
  op(op: string, inputs: readonly string[], attrs: Readonly<Record<string, Attr>> = {}, domain = ""): string {
    return this.node(op, inputs, attrs, { domain })[0];
  }

  /**
   * A float32 constant of shape `dims`; `role` says whether it is a learned weight or parameter
   * (see FloatRole); without it the role is inferred from the shape and readers (inferRole).
   * Under --quantize a weight (of MIN_QUANTIZED_ELEMENTS or more) is stored as float16 or uint8
   * and made float32 again in the graph.
   */
  floats(hint: string, values: ArrayLike<number>, dims: readonly number[], role?: FloatRole): string {
    const name = this.name(hint);
    this.floatConstants.push({ name, values: Float32Array.from(values), dims: [...dims], role });
    return name;
  }

  /** An int64 constant of shape `dims`. */
  int64s(hint: string, values: readonly number[], dims: readonly number[]): string {
    const name = this.name(hint);
    this.initializers.push(
      onnx.TensorProto.create({ name, dataType: T.INT64, dims: [...dims], int64Data: [...values] }),
    );
    return name;
  }

  /**
   * The float constants as initializers; under --quantize each weight as its stored form and the
   * node that gives it back as float32 (placed first: it reads only initializers).
   */
  private floatInitializers(): StoredWeight & { quantized: number; learned: number } {
    const initializers: onnxProto.onnx.TensorProto[] = [];
    const nodes: onnxProto.onnx.NodeProto[] = [];
    const index = graphIndex(this.nodes);
    let quantized = 0;
    let learned = 0;
    for (const c of this.floatConstants) {
      const { name, values, dims } = c;
      const role = c.role ?? inferRole(name, values, dims, index);
      if (role !== "constant") learned += values.length;
      const stored =
        role !== "weight" || values.length < MIN_QUANTIZED_ELEMENTS
          ? undefined
          : this.options.quantize === "float16"
            ? float16Weight(name, values, dims)
            : this.options.quantize === "uint8"
              ? uint8Weight(name, values, dims, outputChannelAxis(name, dims.length, index.readers))
              : undefined;
      if (stored) {
        quantized++;
        initializers.push(...stored.initializers);
        nodes.push(...stored.nodes);
      } else {
        initializers.push(
          onnx.TensorProto.create({
            name,
            dataType: T.FLOAT,
            dims: [...dims],
            floatData: Array.from(values),
          }),
        );
      }
    }
    return { initializers, nodes, quantized, learned };
  }

  /** How many weight tensors the last encode stored quantized. */
  get quantizedWeights(): number {
    return this.quantized;
  }

  /** The model's bytes. */
  encode(metadata: Readonly<Record<string, string>>, docString: string): Uint8Array {
    const floats = this.floatInitializers();
    this.quantized = floats.quantized;
    this.learned = floats.learned;
    const graph = onnx.GraphProto.create({
      name: "strata",
      node: [...floats.nodes, ...this.nodes],
      initializer: [...floats.initializers, ...this.initializers],
      input: this.inputs,
      output: this.outputs,
      valueInfo: this.valueInfo,
    });
    const model = onnx.ModelProto.create({
      // Opset 20 came with IR version 9 (ONNX 1.15); the opsets of OPSETS need only IR 8.
      irVersion: (this.opsets.get("") ?? 0) >= 20 ? 9 : 8,
      opsetImport: [...this.opsets].map(([domain, version]) => ({ domain, version })),
      producerName: PRODUCER,
      producerVersion: "",
      docString,
      graph,
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** The producer name of every ONNX file strata writes (output-paths.ts tells strata's files by it). */
export const PRODUCER = "strata";
