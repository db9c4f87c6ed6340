import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu";
import type { backend_util, DataId, DataType, TensorInfo } from "@tensorflow/tfjs-core";
import type { Handle, NativeAddon } from "./native.js";
import { TorchTensorData } from "./tensor-data.js";

const DTYPES: DataType[] = ["float32", "int32", "bool"];

/**
 * A TF.js backend whose tensors live in libtorch. It extends the CPU backend so that every
 * kernel without a native implementation runs through the CPU backend's own code unchanged
 * (the data store downloads values for it on demand); native kernels call into libtorch.
 */
export class TorchBackend extends MathBackendCPU {
  /** Per kernel name, how many times a CPU fallback ran. */
  readonly fallbackCounts = new Map<string, number>();
  private readonly scratch = new Int32Array(2 + 16);
  declare data: MathBackendCPU["data"];

  constructor(readonly addon: NativeAddon) {
    super();
    addon.setScratch(this.scratch);
  }

  private store(dataId: DataId): TorchTensorData {
    return this.data.get(dataId) as unknown as TorchTensorData;
  }

  override write(values: backend_util.BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    this.data.set(dataId, new TorchTensorData(this.addon, dtype, 1, values) as never);
    void shape;
    return dataId;
  }

  override move(
    dataId: DataId,
    values: backend_util.BackendValues,
    shape: number[],
    dtype: DataType,
    refCount: number,
  ): void {
    void shape;
    this.data.set(dataId, new TorchTensorData(this.addon, dtype, refCount, values) as never);
  }

  override disposeData(dataId: DataId, force = false): boolean {
    if (!this.data.has(dataId)) return true;
    const entry = this.store(dataId);
    entry.refCount--;
    if (!force && entry.refCount > 0) return false;
    if (entry.complexTensorInfos) {
      this.disposeData(entry.complexTensorInfos.real.dataId, true);
      this.disposeData(entry.complexTensorInfos.imag.dataId, true);
    }
    entry.release();
    this.data.delete(dataId);
    return true;
  }

  override memory(): { unreliable: boolean; reasons: string[]; numNativeTensors: number } {
    return {
      unreliable: true,
      reasons: ["libtorch's allocator holds memory TF.js does not see"],
      numNativeTensors: this.addon.live(),
    };
  }

  /** True when every input can go to a native kernel (no strings, no complex numbers). */
  allNative(inputs: readonly TensorInfo[]): boolean {
    return inputs.every((t) => this.store(t.dataId).native);
  }

  /** The libtorch handle for an input, uploaded on first use. */
  handle(t: TensorInfo): Handle {
    return this.store(t.dataId).handleFor(t.shape);
  }

  /** The handle of a tensor that no other tensor shares (a native op may write to it in place); else undefined. */
  exclusiveHandle(t: TensorInfo): Handle | undefined {
    return this.store(t.dataId).exclusiveHandle(t.shape);
  }

  /** After a native op wrote to t's handle in place: forgets the JS copy of its values. */
  invalidate(t: TensorInfo): void {
    this.store(t.dataId).invalidate();
  }

  /** Wraps the handle a native op just returned (its shape and dtype are in the scratch array). */
  output(h: Handle): TensorInfo {
    const rank = this.scratch[0];
    const shape = Array.from(this.scratch.subarray(2, 2 + rank));
    const dtype = DTYPES[this.scratch[1]];
    return this.adopt(h, shape, dtype);
  }

  /** Wraps a handle whose shape and dtype are asked of the addon (for ops with several outputs). */
  outputOf(h: Handle): TensorInfo {
    return this.adopt(h, this.addon.shapeOf(h), this.addon.dtypeOf(h));
  }

  /** Wraps a handle whose shape and dtype the caller knows. */
  adopt(h: Handle, shape: number[], dtype: DataType): TensorInfo {
    const dataId = {};
    this.data.set(dataId, new TorchTensorData(this.addon, dtype, 1, undefined, h, shape) as never);
    return { dataId, shape, dtype };
  }

  countFallback(kernelName: string): void {
    this.fallbackCounts.set(kernelName, (this.fallbackCounts.get(kernelName) ?? 0) + 1);
  }
}
