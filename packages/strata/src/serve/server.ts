import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import fastifyMultipart from "@fastify/multipart";
import { type FastifyInstance, type FastifyRequest, fastify } from "fastify";
import { cliMessage } from "../cli/flag-names.js";
import { StrataError } from "../errors.js";
import { ClientError } from "./errors.js";
import { explainAsked } from "./explain.js";
import type { ModelInfo, ServedClassifier, ServedModel } from "./model.js";
import { type Prediction, Predictor } from "./predictor.js";
import { type RegressionAnswer, regressionRoute } from "./regression.js";
import { requestRows } from "./rows.js";
import { checkImages, saveUploads } from "./uploads.js";

export interface ServerLimits {
  /** Bytes per uploaded file, and of a JSON body. */
  readonly maxUploadBytes: number;
  /** Files per request. */
  readonly maxFiles: number;
  /** Table rows per request. */
  readonly maxRows: number;
  /** Prediction requests being received, queued or predicted at once; more get 503. */
  readonly maxInFlight: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  maxUploadBytes: 10 * 2 ** 20,
  maxFiles: 32,
  maxRows: 10_000,
  maxInFlight: 64,
};

export interface ServerOptions {
  readonly limits?: Partial<ServerLimits>;
  /** Where uploads are written while they are checked and predicted (the caller removes it). */
  readonly tempDir: string;
  /** Answer only requests addressed to a loopback name (against DNS rebinding); set when bound to loopback. */
  readonly loopbackOnly?: boolean;
  /** Called with the number of prediction requests in flight each time it changes (for tests to wait on). */
  readonly onInFlight?: (inFlight: number) => void;
}

/** The answer of POST /api/predict for a classifier: labels and probabilities. */
export interface ClassifierAnswer {
  readonly model: string;
  readonly classes: readonly string[];
  readonly predictions: readonly Prediction[];
}

/** The answer of POST /api/predict: a classifier's, or a regressor's (a number per row). */
export type PredictAnswer = ClassifierAnswer | RegressionAnswer;

/** POST /api/predict for the served model, and the queue its predictions go through. */
interface PredictRoute {
  readonly predictor: { readonly pending: number; drain(): Promise<void> };
  answer(request: FastifyRequest): Promise<PredictAnswer>;
}

/** Text fields of a multipart form (besides its files), at most. */
const MAX_FIELDS = 20;

/** The page's files, served from memory (front-end code without a build step). */
const STATIC: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/render.js": { file: "render.js", type: "text/javascript; charset=utf-8" },
  "/numbers.js": { file: "numbers.js", type: "text/javascript; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};
const WEB = new URL("../../src/serve/web/", import.meta.url);

const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The HTTP server of `strata serve`: the page, GET /api/model, and POST /api/predict (images as
 * multipart/form-data; table rows as JSON or a CSV file). Uploads are capped in size and
 * count, prediction requests in flight are capped (503 beyond), bad requests get a 4xx with
 * `{ error }`, and predictions run one at a time so concurrent answers never mix.
 * Not listening yet: call `listen`.
 */
export async function createServer(served: ServedModel, options: ServerOptions): Promise<FastifyInstance> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { predictor, answer } =
    served.task === "regression"
      ? regressionRoute(served, options.tempDir, limits.maxRows)
      : classifierRoute(served, options.tempDir, limits.maxRows);
  const files = Object.fromEntries(
    Object.entries(STATIC).map(([path, s]) => [
      path,
      { type: s.type, body: readFileSync(new URL(s.file, WEB)) },
    ]),
  );
  const app = fastify({
    logger: false,
    bodyLimit: limits.maxUploadBytes,
    // A client that sends slowly is cut off rather than holding a slot forever.
    requestTimeout: 120_000,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });
  // A body is JSON rows or a multipart upload; fastify's default text/plain parser would hand a
  // string to the route, which then says "expected a JSON object" (400) instead of 415.
  app.removeContentTypeParser("text/plain");
  await app.register(fastifyMultipart, {
    limits: {
      fileSize: limits.maxUploadBytes,
      files: limits.maxFiles,
      fields: MAX_FIELDS,
      fieldSize: 64 * 1024,
      parts: limits.maxFiles + MAX_FIELDS,
      headerPairs: 100,
    },
  });

  let inFlight = 0;
  app.addHook("onRequest", async (request, reply) => {
    if (options.loopbackOnly && !isLoopbackHost(request.headers.host))
      throw new ClientError(403, "this server answers only requests addressed to localhost or 127.0.0.1");
    if (request.routeOptions.url !== "/api/predict") return;
    if (inFlight >= limits.maxInFlight) {
      reply.header("retry-after", "1");
      throw new ClientError(503, `busy: ${inFlight} requests in flight (the limit); try again shortly`);
    }
    inFlight++;
    options.onInFlight?.(inFlight);
    // 'close' fires when the answer is sent or the client goes away, whichever comes first.
    reply.raw.once("close", () => {
      inFlight--;
      options.onInFlight?.(inFlight);
    });
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const { status, message, internal } = describeError(error, limits, served.model.input);
    if (internal) process.stderr.write(`strata serve: ${request.method} ${request.url}: ${message}\n`);
    reply.code(status).send({ error: internal ? "internal error (see the server's log)" : message });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `no such page: ${request.method} ${request.url}` });
  });

  for (const [path, f] of Object.entries(files)) {
    app.get(path, async (_request, reply) => {
      reply
        .type(f.type)
        .header("content-security-policy", PAGE_POLICY)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer")
        .header("cache-control", "no-store");
      return f.body;
    });
  }
  app.get(
    "/api/model",
    async (): Promise<ModelInfo & { limits: ServerLimits }> => ({ ...served.info, limits }),
  );
  app.get("/api/health", async () => ({ ok: true, pending: predictor.pending }));
  app.post("/api/predict", (request): Promise<PredictAnswer> => answer(request));
  app.addHook("onClose", async () => {
    await predictor.drain();
  });
  return app;
}

/** POST /api/predict for a classifier: images, or table rows (JSON or a CSV file). */
function classifierRoute(served: ServedClassifier, tempDir: string, maxRows: number): PredictRoute {
  const predictor = new Predictor(served.model);
  const answer = async (request: FastifyRequest): Promise<ClassifierAnswer> => {
    const top = topK(request, served.info.classes.length);
    const predictions =
      served.model.input === "images"
        ? await predictImages(request, predictor, tempDir, top)
        : await predictTable(request, served, predictor, tempDir, maxRows, top);
    return { model: served.info.name, classes: served.info.classes, predictions };
  };
  return { predictor, answer };
}

async function predictImages(
  request: FastifyRequest,
  predictor: Predictor,
  tempDir: string,
  top: number,
): Promise<Prediction[]> {
  if (!request.isMultipart())
    throw new ClientError(
      415,
      "this is an image model: send images as multipart/form-data (field name: image)",
    );
  const uploads = await saveUploads(request, tempDir);
  try {
    await checkImages(uploads);
    const explain = explainAsked(request, uploads.fields);
    return await predictor.predictImages(uploads.files, uploads.names, top, explain);
  } finally {
    await uploads.remove();
  }
}

async function predictTable(
  request: FastifyRequest,
  served: ServedClassifier,
  predictor: Predictor,
  tempDir: string,
  maxRows: number,
  top: number,
): Promise<Prediction[]> {
  const schema = served.schema!;
  if (explainAsked(request))
    throw new ClientError(400, "explain: the server explains image models (Grad-CAM); this is a table model");
  const rows = await requestRows(request, schema, tempDir, maxRows);
  return predictor.predictRows(rows.frame, rows.names, top);
}

/** ?top=k: how many classes each answer lists (default 5, at most every class). */
function topK(request: FastifyRequest, classes: number): number {
  const raw = (request.query as Record<string, unknown> | undefined)?.top;
  if (raw === undefined) return Math.min(5, classes);
  const k = Number(raw);
  if (!Number.isInteger(k) || k < 1)
    throw new ClientError(400, `top: expected a whole number >= 1, got "${raw}"`);
  return Math.min(k, classes);
}

/**
 * A status and message for any error: ours (4xx, 503); fastify's and multipart's 4xx, in words
 * that state the limit hit or the content types accepted; a StrataError raised while reading or
 * predicting a request's data is that data's fault (400). Anything else is internal: a 500 whose
 * details go to the server's log only.
 */
function describeError(
  error: unknown,
  limits: ServerLimits,
  input: "images" | "table",
): { status: number; message: string; internal: boolean } {
  if (error instanceof ClientError)
    return { status: error.statusCode, message: error.message, internal: false };
  if (error instanceof StrataError) return { status: 400, message: cliMessage(error), internal: false };
  const e = error as { statusCode?: unknown; message?: unknown; code?: unknown };
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (typeof e?.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    const limited = typeof e.code === "string" ? limitMessage(e.code, limits, input) : undefined;
    if (limited) return { status: limited.status, message: limited.message, internal: false };
    return { status: e.statusCode, message, internal: false };
  }
  return { status: 500, message, internal: true };
}

/** What to say for a fastify or multipart error code that means a limit or a content type. */
function limitMessage(
  code: string,
  limits: ServerLimits,
  input: "images" | "table",
): { status: number; message: string } | undefined {
  const mib = `${Number((limits.maxUploadBytes / 2 ** 20).toPrecision(3))} MiB`;
  switch (code) {
    case "FST_REQ_FILE_TOO_LARGE":
      return { status: 413, message: `file too large: the limit is ${mib} per file (--max-upload-mb)` };
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, message: `request body too large: the limit is ${mib} (--max-upload-mb)` };
    case "FST_FILES_LIMIT":
      return { status: 413, message: `too many files: the limit is ${limits.maxFiles} per request` };
    case "FST_PARTS_LIMIT":
    case "FST_FIELDS_LIMIT":
      return {
        status: 413,
        message: `too many form fields: the limit is ${limits.maxFiles} files and ${MAX_FIELDS} other fields per request`,
      };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
    case "FST_INVALID_MULTIPART_CONTENT_TYPE":
      return {
        status: 415,
        message:
          input === "images"
            ? "unsupported content type: send images as multipart/form-data (field name: image)"
            : 'unsupported content type: send rows as application/json ({ "rows": [ … ] }) or a CSV file as multipart/form-data',
      };
    default:
      return undefined;
  }
}

/** Whether a Host header names this machine by a loopback name or address. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith("[") ? host.slice(1, host.indexOf("]")) : host.replace(/:\d+$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (isIP(name) === 4) return name.startsWith("127.");
  return name === "::1";
}

/** Whether a listen address is loopback only. */
export function isLoopbackAddress(host: string): boolean {
  return isLoopbackHost(host.includes(":") && !host.startsWith("[") ? `[${host}]` : host);
}
