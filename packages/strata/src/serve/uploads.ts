import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyRequest } from "fastify";
import { StrataError } from "../errors.js";
import { decodeImageBytes } from "../images/decode.js";
import { ClientError } from "./errors.js";

/** Images larger than this many pixels are refused (decompression bombs). */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** Uploaded files written to the server's temporary folder; `remove` deletes them. */
export interface SavedUploads {
  readonly files: string[];
  /** The names the client gave, for the answer. */
  readonly names: string[];
  /** Text fields of the form. */
  readonly fields: Record<string, string>;
  remove(): Promise<void>;
}

let counter = 0;

/**
 * Writes each file part of a multipart request into `dir` under a name of the server's own
 * (never the client's), with size and count limits enforced by @fastify/multipart while
 * streaming. On any failure the files written so far are removed.
 */
export async function saveUploads(request: FastifyRequest, dir: string): Promise<SavedUploads> {
  const files: string[] = [];
  const names: string[] = [];
  const fields: Record<string, string> = {};
  const remove = async () => {
    await Promise.all(files.map((f) => rm(f, { force: true })));
  };
  try {
    for await (const part of request.parts()) {
      if (part.type === "field") {
        if (typeof part.value === "string") fields[part.fieldname] = part.value;
        continue;
      }
      const data = await part.toBuffer();
      const file = join(dir, `upload-${process.pid}-${++counter}`);
      files.push(file);
      await writeFile(file, data);
      names.push(part.filename || `file ${files.length}`);
    }
  } catch (e) {
    await remove();
    throw malformed(e);
  }
  return { files, names, fields, remove };
}

/**
 * The multipart parser's own errors without a status (a body that ends early, a bad boundary)
 * are the client's fault: 400. Limits keep their 413; the server's I/O errors stay errors.
 */
function malformed(e: unknown): unknown {
  const error = e as { statusCode?: unknown; syscall?: unknown; message?: unknown };
  if (typeof error?.statusCode === "number" || typeof error?.syscall === "string") return e;
  return new ClientError(400, `malformed multipart/form-data body (${String(error?.message ?? e)})`);
}

/**
 * Checks that every upload decodes as an image, with the project's decoder (the content
 * decides, not the name or the declared type). A 400 names the first that does not.
 */
export async function checkImages(uploads: SavedUploads): Promise<void> {
  if (uploads.files.length === 0)
    throw new ClientError(400, "no image in the request: send one or more files as multipart/form-data");
  for (const [i, file] of uploads.files.entries()) {
    try {
      await decodeImageBytes(file, { width: 8, height: 8, channels: 3, maxPixels: MAX_IMAGE_PIXELS });
    } catch (e) {
      if (!(e instanceof StrataError)) throw e;
      // The decoder names the temporary file; the client knows its own name for it.
      throw new ClientError(400, e.message.split(file).join(`"${uploads.names[i]}"`));
    }
  }
}
