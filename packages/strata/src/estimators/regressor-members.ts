import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import type { KindResolver } from "./descriptor.js";
import type { EstimatorSpec } from "./estimator.js";
import type { AnyRegressor, Regressor } from "./regressor-types.js";

/*
 * A regressor ensemble's members, made and read through the kinds it is handed: a member is
 * named by a regressor kind ("dense-regressor") or by its classifier's ("dense", as `--members`
 * gives it), and must take a table, as the ensemble does.
 */

/** An unfitted member (bad kinds and params refused, the message starting with `what`). */
export function createMemberRegressor(
  spec: EstimatorSpec,
  what: string,
  kinds: KindResolver,
): Regressor<TableData> {
  let made: AnyRegressor;
  try {
    made = kinds.createRegressor(spec);
  } catch (e) {
    if (e instanceof StrataError) throw new StrataError(`${what}: ${e.message}`, { params: e.params });
    throw e;
  }
  return tableMember(made, what);
}

/**
 * A saved member, from its directory: it must hold the regressor kind the spec names (either
 * name) and take a table; anything else is a StrataError starting with `what`.
 */
export async function readMemberRegressor(
  dir: string,
  spec: EstimatorSpec,
  what: string,
  kinds: KindResolver,
): Promise<Regressor<TableData>> {
  let read: AnyRegressor;
  try {
    read = await kinds.loadRegressor(dir);
  } catch (e) {
    if (e instanceof StrataError) throw new StrataError(`${what} cannot be loaded: ${e.message}`);
    throw e;
  }
  const expected = kinds.regressor(spec.kind).name;
  if (read.kind !== expected) {
    read.dispose();
    throw new StrataError(`${what} holds a ${read.kind} model, not ${expected}`);
  }
  return tableMember(read, what);
}

function tableMember(model: AnyRegressor, what: string): Regressor<TableData> {
  if (model.input === "table") return model;
  model.dispose();
  throw new StrataError(`${what}: ${model.kind} takes images; a regressor ensemble's members take tables`);
}
