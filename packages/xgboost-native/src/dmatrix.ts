// DMatrix: XGBoost's data container, built from a dense row-major Float32Array.
import { addon, type NativeDMatrix } from "./native.js";

export interface DMatrixOptions {
  /** The value that marks an absent entry; default NaN (NaN entries are absent). */
  missing?: number;
  /** Threads used to build the matrix; default 0, XGBoost's default (all cores). */
  nthread?: number;
}

const natives = new WeakMap<DMatrix, NativeDMatrix>();

/** The addon's object behind a DMatrix (for Booster; not part of the public API). */
export function nativeDMatrix(d: DMatrix): NativeDMatrix {
  const native = d instanceof DMatrix ? natives.get(d) : undefined;
  if (!native) throw new TypeError("expected a DMatrix");
  return native;
}

/**
 * A data matrix for XGBoost. XGBoost copies `data`, so the array may be reused afterwards.
 * The native memory is freed by dispose(), or when the object is garbage-collected.
 */
export class DMatrix {
  /** Number of rows (examples), as XGBoost counts them. */
  readonly rows: number;
  /** Number of columns (features). */
  readonly cols: number;

  /**
   * @param data dense row-major values, shape [rows, cols]: data[r * cols + c]
   * @param rows number of rows; rows * cols must equal data.length (RangeError otherwise)
   * @param cols number of columns
   */
  constructor(data: Float32Array, rows: number, cols: number, options: DMatrixOptions = {}) {
    const native = new (addon().DMatrix)(
      data,
      rows,
      cols,
      options.missing ?? Number.NaN,
      options.nthread ?? 0,
    );
    natives.set(this, native);
    this.rows = native.rows();
    this.cols = native.cols();
  }

  /** Sets the labels, shape [rows]: 0/1 for binary:logistic, 0..num_class-1 for multi:*. */
  setLabel(labels: Float32Array): void {
    nativeDMatrix(this).setFloatInfo("label", labels);
  }

  /** Sets one weight per row, shape [rows]. */
  setWeight(weights: Float32Array): void {
    nativeDMatrix(this).setFloatInfo("weight", weights);
  }

  /** How many entries are present (not equal to `missing`). */
  numNonMissing(): number {
    return nativeDMatrix(this).numNonMissing();
  }

  /** Whether dispose() has been called. */
  get disposed(): boolean {
    return nativeDMatrix(this).disposed();
  }

  /** Frees the native matrix now; later calls on it throw. Calling it again does nothing. */
  dispose(): void {
    nativeDMatrix(this).dispose();
  }
}
