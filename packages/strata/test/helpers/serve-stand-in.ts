// A stand-in table model (one numeric column, x; three classes) served in this process, for
// tests of the server's own parts: no training, answers computed from x alone.
import type { AddressInfo } from "node:net";
import type { TestContext } from "node:test";
import type { Frame } from "../../src/data/frame.js";
import type { TabularSchema } from "../../src/data/schema.js";
import type { AnyClassifier } from "../../src/estimators/estimator.js";
import type { ModelInfo, ServedModel } from "../../src/serve/model.js";
import type { Votes } from "../../src/serve/predictor.js";
import { createServer, type ServerLimits } from "../../src/serve/server.js";
import { type Matrix, matrix } from "../../src/util/matrix.js";
import { tempDir } from "./cli.js";

export const SCHEMA: TabularSchema = {
  target: "y",
  features: [{ name: "x", kind: "numeric", parse: "number" }],
  dropped: [],
};
export const CLASSES = ["cat", "dog", "fox"];

/** P(class) from x alone: a stand-in for a fitted table model. */
function probaOf(frame: Frame): Matrix {
  const x = frame.column("x");
  if (x.kind !== "numeric") throw new Error("x is numeric");
  const m = matrix(frame.nRows, 3);
  x.values.forEach((v, r) => {
    const s = [Math.exp(-v), 1, Math.exp(v)];
    const total = s[0] + s[1] + s[2];
    s.forEach((p, c) => {
      m.data[3 * r + c] = p / total;
    });
  });
  return m;
}

/** A table model that answers after `gate` resolves (to hold requests in flight); `votes` adds predictVotes. */
export function standIn(options: { gate?: () => Promise<void>; votes?: boolean } = {}): ServedModel {
  const model = {
    kind: "stand-in",
    input: "table" as const,
    classes: CLASSES,
    async predictProba(frame: Frame) {
      await options.gate?.();
      return probaOf(frame);
    },
    ...(options.votes
      ? {
          async predictVotes(frame: Frame): Promise<Votes> {
            const combined = probaOf(frame);
            // Member "shy" prefers cat, member "bold" the combined answer; their classes in another order.
            const shy = matrix(
              frame.nRows,
              3,
              Float32Array.from({ length: frame.nRows * 3 }, (_, i) => [0.6, 0.3, 0.1][i % 3]),
            );
            const boldClasses = ["fox", "dog", "cat"];
            const bold = matrix(
              frame.nRows,
              3,
              Float32Array.from(
                { length: frame.nRows * 3 },
                (_, i) => combined.data[3 * Math.floor(i / 3) + (2 - (i % 3))],
              ),
            );
            return {
              members: [
                { name: "shy", classes: CLASSES, proba: shy },
                { name: "bold", classes: boldClasses, proba: bold },
              ],
              combined,
            };
          },
        }
      : {}),
    dispose() {},
  } as unknown as AnyClassifier;
  const info: ModelInfo = {
    name: "stand-in",
    kind: "stand-in",
    input: "table",
    classes: CLASSES,
    voting: Boolean(options.votes),
    target: "y",
    fields: [
      {
        name: "x",
        kind: "numeric",
        parse: "number",
        min: -3,
        max: 3,
        median: 0,
        hint: "training range -3 to 3",
      },
    ],
  };
  return { model, info, schema: SCHEMA };
}

/**
 * Serves `served` in this process on 127.0.0.1 (closed when the test ends); returns its URL.
 * `onInFlight` sees the count of prediction requests in flight each time it changes.
 */
export async function listen(
  t: TestContext,
  served: ServedModel,
  limits: Partial<ServerLimits> = {},
  onInFlight?: (inFlight: number) => void,
): Promise<string> {
  const app = await createServer(served, {
    tempDir: tempDir(t, "strata-serve-unit-"),
    loopbackOnly: true,
    limits,
    onInFlight,
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  t.after(() => app.close());
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/`;
}
