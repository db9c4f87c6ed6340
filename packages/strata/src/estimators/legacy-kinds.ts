import type { Params } from "../util/params.js";
import type { KindDescriptor } from "./descriptor.js";
import { LEGACY_IMAGE_KIND, upgradeImageSpec } from "./legacy-image-kind.js";

/*
 * Kind names earlier strata wrote that are no kind of this one's list, still understood where a
 * spec names them (an ensemble's members saved by an earlier strata): never listed (not in
 * --model, --members, or a resolver's names()). A model directory's own strata.json is upgraded
 * when it is read (manifest.ts), so no legacy kind ever reads a directory.
 */

/** "image" with params.model "cnn" or "dense": the kinds cnn and image-dense now. */
const LEGACY_IMAGE: KindDescriptor = {
  name: LEGACY_IMAGE_KIND,
  input: "images",
  description:
    'the kind earlier strata saved CNNs (model "cnn") and dense networks on images (model "dense") under',
  params: {},
  create: (params, kinds) =>
    kinds.create(upgradeImageSpec({ kind: LEGACY_IMAGE_KIND, params: params as Params })),
  read: (dir, manifest, kinds) => {
    const upgraded = upgradeImageSpec(manifest);
    return kinds.kind(upgraded.kind).read(dir, upgraded, kinds);
  },
};

/** The kind names earlier strata wrote, each made as the kind it is now. */
export const LEGACY_KINDS: readonly KindDescriptor[] = [LEGACY_IMAGE];
