/**
 * L-BFGS (limited-memory BFGS) minimisation of a smooth function, in float64: what scikit-learn's
 * LogisticRegression(solver="lbfgs") runs through SciPy. Stops, as SciPy's L-BFGS-B does, when the
 * largest gradient entry is at most `gtol`, or when an iteration lowers f by at most `ftol`
 * relative to f, or after `maxIter` iterations.
 */

/** f at x; writes ∇f(x) into `grad` (same length as x). */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  readonly maxIter: number;
  /** Largest |∂f/∂x_i| accepted as converged (SciPy's gtol). */
  readonly gtol: number;
  /** Relative decrease of f per iteration below which it stops (SciPy's default: 2.2e-9). */
  readonly ftol?: number;
  /** Correction pairs kept (SciPy's maxcor: 10). */
  readonly memory?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly f: number;
  readonly iterations: number;
  /** False when it stopped at maxIter (or the line search failed) before a tolerance was met. */
  readonly converged: boolean;
}

const ARMIJO = 1e-4;
const MAX_LINE_SEARCH = 50;

export function minimizeLbfgs(
  fg: ObjectiveWithGradient,
  x0: Float64Array,
  options: LbfgsOptions,
): LbfgsResult {
  const n = x0.length;
  const ftol = options.ftol ?? 2.220446049250313e-9;
  const memory = options.memory ?? 10;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let f = fg(x, g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(memory);
  if (maxAbs(g) <= options.gtol) return { x, f, iterations: 0, converged: true };
  for (let iteration = 1; iteration <= options.maxIter; iteration++) {
    // Two-loop recursion: d = -H g, H the inverse-Hessian estimate from the kept pairs.
    for (let i = 0; i < n; i++) d[i] = -g[i];
    for (let j = s.length - 1; j >= 0; j--) {
      alpha[j] = rho[j] * dot(s[j], d);
      axpy(-alpha[j], y[j], d);
    }
    if (s.length > 0) {
      const last = s.length - 1;
      scale(d, dot(s[last], y[last]) / dot(y[last], y[last]));
    }
    for (let j = 0; j < s.length; j++) axpy(alpha[j] - rho[j] * dot(y[j], d), s[j], d);
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (rounding): start the memory over from steepest descent.
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
    }
    // The first step has no curvature estimate: take one of unit length, as SciPy does.
    let step = s.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(d, d))) : 1;
    const xNew = new Float64Array(n);
    const gNew = new Float64Array(n);
    let fNew = Number.NaN;
    let accepted = false;
    for (let t = 0; t < MAX_LINE_SEARCH; t++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = fg(xNew, gNew);
      if (Number.isFinite(fNew) && fNew <= f + ARMIJO * step * slope) {
        accepted = true;
        break;
      }
      step /= 2;
    }
    if (!accepted) return { x, f, iterations: iteration, converged: false };
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = xNew[i] - x[i];
      yk[i] = gNew[i] - g[i];
    }
    const sy = dot(sk, yk);
    // Keep a pair only with positive curvature, so H stays positive definite.
    if (sy > 1e-12 * Math.sqrt(dot(sk, sk) * dot(yk, yk))) {
      if (s.length === memory) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    const decrease = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), 1);
    x = xNew;
    g = gNew;
    f = fNew;
    if (maxAbs(g) <= options.gtol || decrease <= ftol)
      return { x, f, iterations: iteration, converged: true };
  }
  return { x, f, iterations: options.maxIter, converged: false };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

function scale(x: Float64Array, a: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= a;
}

function maxAbs(x: Float64Array): number {
  let m = 0;
  for (const v of x) m = Math.max(m, Math.abs(v));
  return m;
}
