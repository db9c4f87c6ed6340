import type { KindDescriptor } from "../descriptor.js";
import { TransferClassifier } from "../transfer.js";
import { TRANSFER_PARAMS, type TransferClassifierParams } from "../transfer-params.js";
import { TRANSFER_REGRESSOR_KIND } from "./transfer-regressor.js";

/** A pretrained backbone with a new head, fastai's fine_tune recipe. */
export const TRANSFER_KIND: KindDescriptor<TransferClassifierParams> = {
  name: "transfer",
  input: "images",
  description: "a pretrained backbone from the zoo with a new head, optionally fine-tuned, on image files",
  network: true,
  params: TRANSFER_PARAMS,
  regressor: TRANSFER_REGRESSOR_KIND,
  create: (params) => new TransferClassifier(params),
  read: (dir, manifest) => TransferClassifier.read(dir, manifest),
};

/**
 * The variants of transfer are a pattern, not a list: "transfer:<backbone>" is a transfer model
 * on that zoo backbone (e.g. "transfer:darknet-tiny"; `variant` is the text after "transfer:").
 * Undefined for an empty name.
 */
export function transferVariant(
  variant: string,
): { readonly params: Partial<TransferClassifierParams>; readonly about: string } | undefined {
  if (variant === "") return undefined;
  return { params: { backbone: variant }, about: `transfer learning from the ${variant} backbone` };
}

/** How listings show the pattern. */
export const TRANSFER_VARIANT_PATTERN = "transfer:<backbone>";
