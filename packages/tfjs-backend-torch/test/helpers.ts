import { existsSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const ADDON = fileURLToPath(new URL("../build/tfjs_backend_torch.node", import.meta.url));

/** Whether the native addon was built (libtorch present); suites skip without it. */
export const addonBuilt = existsSync(ADDON);
export const skipReason = addonBuilt
  ? false
  : `the native addon is not built (${ADDON} is missing): install libtorch (apt-get install libtorch-dev) and build it (node packages/tfjs-backend-torch/scripts/build.mjs, or npm ci)`;
// Outside CI a machine without libtorch skips these suites; under CI (CI=true, where the addon is
// built) that is a broken setup, not a pass: each file importing this gets one failing test.
if (skipReason && process.env.CI === "true")
  test("the tfjs-backend-torch native addon is built (CI=true requires it)", () => {
    throw new Error(`CI=true, but ${skipReason}`);
  });

/** Deterministic pseudo-random floats in [lo, hi), for reproducible test inputs. */
export function randomValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return out;
}

/** Max |a - b| relative to the magnitude of b; NaN/Inf must match exactly. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i]) || !Number.isFinite(b[i])) {
      if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i])))
        return Number.POSITIVE_INFINITY;
      continue;
    }
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  }
  return worst;
}
