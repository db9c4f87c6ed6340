/** A dense row-major float matrix: `data[r * cols + c]`. Shape: [rows, cols]. */
export interface Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

export function matrix(rows: number, cols: number, data?: Float32Array): Matrix {
  const d = data ?? new Float32Array(rows * cols);
  if (d.length !== rows * cols) {
    throw new Error(`matrix: expected ${rows * cols} values for shape [${rows}, ${cols}], got ${d.length}`);
  }
  return { rows, cols, data: d };
}

/** Row r as a subarray view (no copy). */
export function row(m: Matrix, r: number): Float32Array {
  return m.data.subarray(r * m.cols, (r + 1) * m.cols);
}

/** Index of the largest value in each row. */
export function argmaxRows(m: Matrix): Int32Array {
  const out = new Int32Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < m.cols; c++) {
      const v = m.data[r * m.cols + c];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

/** The rows at `indices`, in that order. */
export function takeRows(m: Matrix, indices: ArrayLike<number>): Matrix {
  const out = new Float32Array(indices.length * m.cols);
  for (let i = 0; i < indices.length; i++) {
    out.set(row(m, indices[i]), i * m.cols);
  }
  return { rows: indices.length, cols: m.cols, data: out };
}
