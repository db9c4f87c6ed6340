/** Why a network cannot run natively: the compiler throws it, `NativeNetwork.compile` returns its message. */
export class Unsupported extends Error {}

export function fail(why: string): never {
  throw new Unsupported(why);
}
