import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

/** How `strata export --quantize` stores a graph's weight tensors; the graph computes in float32 either way. */
export type Quantize = "float16" | "uint8";
export const QUANTIZE_TYPES: readonly Quantize[] = ["float16", "uint8"];

/**
 * Weights with fewer elements stay float32, as TFLite's post-training weight quantization leaves
 * tensors under 1024 elements: they save under 3 KiB each, and the first layer, the one most
 * hurt by rounding since it reads the raw inputs, is usually among them. On the CIFAR transfer
 * model (darknet-tiny) keeping its 16×3×3×3 first convolution float32 halved the float16 error
 * (max |Δp| 1.16e-2 → 6.7e-3) and the uint8 one (0.33 → 0.18) for 770 bytes.
 */
export const MIN_QUANTIZED_ELEMENTS = 1024;

/** The largest finite float16; a weight beyond it cannot be stored as float16. */
const FLOAT16_MAX = 65504;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float16 bits nearest to x (round to nearest, ties to even), as IEEE 754 binary16. */
export function float16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 112; // float16's biased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A float16 subnormal: m · 2^-24.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const tie = 1 << (shift - 1);
    if (rest > tie || (rest === tie && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa raises the exponent, as rounding should (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** The initializers and nodes that give back the float32 value `name` from its stored form. */
export interface StoredWeight {
  readonly initializers: onnxProto.onnx.TensorProto[];
  readonly nodes: onnxProto.onnx.NodeProto[];
}

/**
 * `name` stored as float16 and Cast back to float32 (ONNX Cast, opset 6+), or undefined when a
 * value is beyond float16's range (the tensor then stays float32).
 */
export function float16Weight(
  name: string,
  values: Float32Array,
  dims: readonly number[],
): StoredWeight | undefined {
  const bits = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]) > FLOAT16_MAX) return undefined;
    bits[i] = float16Bits(values[i]);
  }
  const stored = `${name}/float16`;
  return {
    initializers: [
      onnx.TensorProto.create({
        name: stored,
        dataType: T.FLOAT16,
        dims: [...dims],
        rawData: littleEndian(bits),
      }),
    ],
    nodes: [
      onnx.NodeProto.create({
        opType: "Cast",
        name: `${name}/cast`,
        input: [stored],
        output: [name],
        attribute: [onnx.AttributeProto.create({ name: "to", type: A.INT, i: T.FLOAT })],
      }),
    ],
  };
}

/**
 * `name` stored as uint8 with a scale and zero point, given back by DequantizeLinear (opset 13+):
 * w ≈ (q − zero_point) · scale. Asymmetric over [min(w, 0), max(w, 0)], so 0 is exact, as the ONNX
 * quantizers do. With `axis`, one scale and zero point per slice along it (an output channel:
 * per-channel weights keep a layer whose channels differ in range accurate); else one per tensor.
 */
export function uint8Weight(
  name: string,
  values: Float32Array,
  dims: readonly number[],
  axis: number | undefined,
): StoredWeight {
  const channels = axis === undefined ? 1 : dims[axis];
  // Elements are row-major: the channel of element i is ⌊i / inner⌋ mod channels.
  const inner = axis === undefined ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channel = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const lo = new Float64Array(channels);
  const hi = new Float64Array(channels);
  for (let i = 0; i < values.length; i++) {
    const c = channel(i);
    lo[c] = Math.min(lo[c], values[i]);
    hi[c] = Math.max(hi[c], values[i]);
  }
  const scale = new Float32Array(channels);
  const zero = new Uint8Array(channels);
  for (let c = 0; c < channels; c++) {
    scale[c] = hi[c] > lo[c] ? (hi[c] - lo[c]) / 255 : 1;
    zero[c] = Math.min(255, Math.max(0, Math.round(-lo[c] / scale[c])));
  }
  const q = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = channel(i);
    q[i] = Math.min(255, Math.max(0, Math.round(values[i] / scale[c]) + zero[c]));
  }
  const perChannel = axis !== undefined;
  const sdims = perChannel ? [channels] : [];
  const tensor = (suffix: string, dataType: number, d: number[], raw: Uint8Array) =>
    onnx.TensorProto.create({ name: `${name}/${suffix}`, dataType, dims: d, rawData: raw });
  return {
    initializers: [
      tensor("uint8", T.UINT8, [...dims], q),
      tensor("scale", T.FLOAT, sdims, littleEndian(scale)),
      tensor("zero_point", T.UINT8, sdims, zero),
    ],
    nodes: [
      onnx.NodeProto.create({
        opType: "DequantizeLinear",
        name: `${name}/dequantize`,
        input: [`${name}/uint8`, `${name}/scale`, `${name}/zero_point`],
        output: [name],
        attribute: perChannel ? [onnx.AttributeProto.create({ name: "axis", type: A.INT, i: axis })] : [],
      }),
    ],
  };
}

/** A typed array's bytes in little-endian order (ONNX raw_data), whatever the machine's order. */
function littleEndian(a: Uint16Array | Float32Array): Uint8Array {
  const out = new Uint8Array(a.length * a.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++)
    if (a instanceof Uint16Array) view.setUint16(i * 2, a[i], true);
    else view.setFloat32(i * 4, a[i], true);
  return out;
}
