import type { TableData } from "../data/plain.js";
import { StrataError } from "../errors.js";
import { builtInKinds } from "./built-in-kinds.js";
import type { KindResolver } from "./descriptor.js";
import type { EstimatorSpec } from "./estimator.js";
import type { Regressor } from "./regressor-types.js";

/*
 * Regressors of a table from strata's kinds (the descriptors' twins, through builtInKinds): the
 * loader the API and `strata predict` use, and what the CLI makes from --model and its options.
 */

/**
 * Loads a regressor of a table from a directory written by its `save` (or by `strata fit --out`):
 * strata.json's kind picks the regressor, which reads its own files. A classifier's directory, an
 * unknown kind, damaged params or an image regressor is a StrataError naming the directory.
 */
export async function loadRegressor(
  dir: string,
  kinds: KindResolver = builtInKinds,
): Promise<Regressor<TableData>> {
  const model = await kinds.loadRegressor(dir);
  if (model.input === "table") return model;
  model.dispose();
  throw new StrataError(
    `${dir}: holds an image regressor (${model.kind}); it predicts image files, not tables`,
  );
}

/**
 * An unfitted regressor of a table from a spec whose kind is a regressor's name or its
 * classifier's ({kind: "dense", params} is a dense-regressor); unknown or bad params are refused by
 * name, and a kind that takes images is refused.
 */
export function createTableRegressor(
  spec: EstimatorSpec,
  kinds: KindResolver = builtInKinds,
): Regressor<TableData> {
  const model = kinds.createRegressor(spec);
  if (model.input === "table") return model;
  model.dispose();
  throw new StrataError(`${spec.kind}: ${model.kind} takes images, not a table`);
}
