import type { backend_util, DataType, TensorInfo } from "@tensorflow/tfjs-core";
import type { Handle, NativeAddon, NativeDtype } from "./native.js";

/** The dtypes that live in libtorch; strings and complex numbers stay in JS. */
export function isNativeDtype(dtype: DataType): dtype is NativeDtype {
  return dtype === "float32" || dtype === "int32" || dtype === "bool";
}

/**
 * One tensor's storage in the torch backend: a libtorch handle, a JS copy of its values, or both.
 *
 * Native kernels read the handle (uploading the JS values the first time); TF.js's CPU kernels,
 * which serve as fallbacks, read `.values` (downloading from libtorch the first time). TF.js
 * tensors are immutable, so once both copies exist they stay equal.
 */
export class TorchTensorData {
  private jsValues?: backend_util.BackendValues;
  /** The shape the handle was created with; see handleFor. */
  private handleShape?: number[];
  /** Reshaped views of the handle, for TensorInfos that share this data under another shape. */
  private views?: Map<string, Handle>;
  complexTensorInfos?: { real: TensorInfo; imag: TensorInfo };

  constructor(
    private readonly addon: NativeAddon,
    public dtype: DataType,
    public refCount: number,
    values?: backend_util.BackendValues,
    private handle?: Handle,
    shape?: number[],
  ) {
    this.jsValues = values;
    this.handleShape = shape;
  }

  get values(): backend_util.BackendValues | undefined {
    if (this.jsValues === undefined && this.handle !== undefined)
      this.jsValues = this.addon.download(this.handle);
    return this.jsValues;
  }

  set values(v: backend_util.BackendValues | undefined) {
    this.jsValues = v;
  }

  /** True when a native kernel can use this data (not a string or complex tensor). */
  get native(): boolean {
    return isNativeDtype(this.dtype) && this.complexTensorInfos === undefined;
  }

  /** A handle with `shape`: the stored one, or a reshaped view kept until disposal. */
  handleFor(shape: number[]): Handle {
    if (this.handle === undefined) {
      const values = this.jsValues as Float32Array | Int32Array | Uint8Array;
      this.handle = this.addon.upload(toNativeArray(values, this.dtype), shape, this.dtype as NativeDtype);
      this.handleShape = shape.slice();
      return this.handle;
    }
    if (sameShape(this.handleShape!, shape)) return this.handle;
    const key = shape.join(",");
    this.views ??= new Map();
    let view = this.views.get(key);
    if (view === undefined) {
      view = this.addon.reshape(this.handle, shape);
      this.views.set(key, view);
    }
    return view;
  }

  /**
   * The handle, when a native op may write to it in place: this data belongs to one tensor only
   * (refCount 1), under the handle's own shape, with no reshaped views. Else undefined.
   */
  exclusiveHandle(shape: number[]): Handle | undefined {
    if (this.refCount !== 1 || this.views !== undefined || !this.native) return undefined;
    if (this.handle === undefined) this.handleFor(shape);
    return sameShape(this.handleShape!, shape) ? this.handle : undefined;
  }

  /** Drops the JS copy of the values after a native op wrote to the handle in place. */
  invalidate(): void {
    if (this.handle !== undefined) this.jsValues = undefined;
  }

  /** Frees the native memory (the JS copy goes with this object). */
  release(): void {
    if (this.handle !== undefined) this.addon.release(this.handle);
    for (const v of this.views?.values() ?? []) this.addon.release(v);
    this.handle = undefined;
    this.views = undefined;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** TF.js may hand over bools or int32 values in a plain typed array of another kind; libtorch needs the exact one. */
function toNativeArray(
  values: Float32Array | Int32Array | Uint8Array,
  dtype: DataType,
): Float32Array | Int32Array | Uint8Array {
  if (dtype === "float32") return values instanceof Float32Array ? values : Float32Array.from(values);
  if (dtype === "int32") return values instanceof Int32Array ? values : Int32Array.from(values);
  return values instanceof Uint8Array ? values : Uint8Array.from(values);
}
