import { fileURLToPath } from "node:url";

/** A file under the shared data folder that sits beside the repository checkout (../shared/data). */
export function sharedData(relative: string): string {
  return fileURLToPath(new URL(`../../../../../shared/data/${relative}`, import.meta.url));
}
