import { StrataError } from "../errors.js";
import { builtInKinds } from "./built-in-kinds.js";
import type { KindResolver } from "./descriptor.js";
import { ImageNetworkRegressor, type ImageRegressor } from "./image-regressor.js";

/**
 * Loads an image regressor (cnn-regressor, image-dense-regressor, transfer-regressor) from a
 * directory written by its `save`, through the kinds' regressor twins as loadRegressor does for
 * tables. A classifier's or a table regressor's directory, or an unknown kind, is a StrataError
 * naming the directory.
 */
export async function loadImageRegressor(
  dir: string,
  kinds: KindResolver = builtInKinds,
): Promise<ImageRegressor> {
  const model = await kinds.loadRegressor(dir);
  if (model instanceof ImageNetworkRegressor) return model;
  model.dispose();
  throw new StrataError(
    `${dir}: holds a regressor of a table (${model.kind}); it predicts tables, not image files`,
  );
}
