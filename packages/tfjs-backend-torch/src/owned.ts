// The handle behind a variable that a native call may write (the training step, a broadcast).
import { engine, type Variable } from "@tensorflow/tfjs-core";
import type { TorchBackend } from "./backend.js";
import type { Handle } from "./native.js";
import { fail } from "./unsupported.js";

/**
 * The variable's own handle when no other tensor shares its data, else a copy that the variable is
 * given first (e.g. after an early-stopping snapshot, which shares the variable's data).
 */
export function ownedHandle(b: TorchBackend, variable: Variable): Handle {
  const h = b.exclusiveHandle(variable);
  if (h !== undefined) return h;
  const copy = engine().makeTensorFromTensorInfo(
    b.adopt(b.addon.copy(b.handle(variable)), variable.shape.slice(), variable.dtype),
  );
  variable.assign(copy);
  copy.dispose();
  return b.exclusiveHandle(variable) ?? fail("a variable's data stays shared");
}
