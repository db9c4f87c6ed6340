/**
 * Solves A x = b for a symmetric positive definite A (row-major, n × n, float64) by Cholesky
 * factorisation (A = L Lᵀ), the method of scikit-learn's Ridge(solver="cholesky"). A few dozen
 * lines cover strata's sizes (up to a few thousand columns); a linear-algebra library would add
 * a dependency (and often a native build) for one solve. Returns undefined when A is not
 * positive definite (a pivot ≤ 0: a singular or indefinite matrix).
 */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  if (a.length !== n * n || b.length !== n)
    throw new Error(
      `choleskySolve: expected a ${n}×${n} matrix and ${n} values, got ${a.length} and ${b.length}`,
    );
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j];
      for (let k = 0; k < j; k++) sum -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        // Relative to the diagonal's own size: rounding leaves a singular matrix a tiny positive pivot.
        if (!(sum > 1e-12 * Math.max(1, Math.abs(a[i * n + i])))) return undefined;
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j];
      }
    }
  }
  // L y = b, then Lᵀ x = y.
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[i * n + k] * y[k];
    y[i] = sum / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i] * x[k];
    x[i] = sum / l[i * n + i];
  }
  return x;
}
