import type { KindResolver } from "./descriptor.js";

/**
 * A copy of `model` made by its own class's constructor from `params` and the same kinds: the
 * withParams of a model that makes other models through a KindResolver (ensembles, auto models).
 */
export function withSameKinds<M extends { readonly kinds: KindResolver }, P>(model: M, params: P): M {
  const make = model.constructor as new (params: P, kinds: KindResolver) => M;
  return new make(params, model.kinds);
}
