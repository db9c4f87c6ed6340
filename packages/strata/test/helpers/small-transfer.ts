import { TransferClassifier, type TransferClassifierParams } from "../../src/estimators/transfer.js";

/** darknet-tiny at 32×32 (its feature map is then 2×2), a few fast epochs, then fine-tuning (a classifier's or a regressor's). */
export const SMALL_TRANSFER = {
  size: [32, 32],
  epochs: 15,
  learningRate: 0.01,
  fineTune: 1,
  epochsFine: 1,
  batchSize: 8,
  patience: 0,
  validationFraction: 0.2,
} satisfies Partial<TransferClassifierParams>;

/** A TransferClassifier with SMALL_TRANSFER's params, then `p`. */
export function smallTransfer(p: Partial<TransferClassifierParams> = {}): TransferClassifier {
  return new TransferClassifier({ ...SMALL_TRANSFER, ...p });
}
