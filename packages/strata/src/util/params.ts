/** Hyperparameters: plain JSON values only, so they can be saved, printed, compared and cloned. */
export type Params = { readonly [name: string]: ParamValue };
export type ParamValue = string | number | boolean | null | readonly ParamValue[] | Params;

/** A deep copy of params (what getParams returns, so callers cannot change an estimator's own). */
export function copyParams<P extends object>(params: P): Params {
  return JSON.parse(JSON.stringify(params)) as Params;
}

/** JSON with object keys sorted, so params compare equal whatever order their keys were given in. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
