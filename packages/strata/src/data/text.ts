import { isUtf8 } from "node:buffer";
import { apiName, StrataError, where } from "../errors.js";

/**
 * How a CSV file's bytes are text: "utf8" (the default; invalid UTF-8 is an error naming its
 * line, never replacement characters) or "latin1" (ISO-8859-1 read as its superset Windows-1252,
 * which is what Excel on Windows and many older exports write).
 */
export type CsvEncoding = "utf8" | "latin1";

/** Where the encoding came from, for the advice when the bytes are not that encoding. */
export type EncodingSource = "option" | "model";

/**
 * The file's bytes as UTF-8: checked (a binary file, UTF-16 or invalid UTF-8 is a StrataError
 * naming the file and, where there is one, the line) and, for Latin-1, transcoded.
 */
export function decodeCsvBytes(
  file: string,
  bytes: Buffer,
  encoding: CsvEncoding = "utf8",
  source: EncodingSource = "option",
): Buffer {
  refuseNonText(file, bytes);
  if (encoding === "latin1") {
    if (hasUtf8Bom(bytes))
      throw new StrataError(
        `${file}: starts with a UTF-8 byte-order mark, so it is UTF-8 text: leave out ${apiName("encoding", "latin1")}`,
        { params: ["encoding"] },
      );
    return Buffer.from(new TextDecoder("windows-1252").decode(bytes), "utf8");
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    const advice =
      source === "model"
        ? "the model reads UTF-8, as its training file was: convert this file (e.g. iconv -f latin1 -t utf-8)"
        : `if it is Latin-1 or Windows-1252 (as Excel on Windows saves CSV), read it with ${apiName("encoding", "latin1")}`;
    throw new StrataError(
      `${where(file, lineAt(bytes, bad))}: not UTF-8 text (byte 0x${bytes[bad].toString(16).toUpperCase()} ${context(bytes, bad)}); ${advice}`,
      { params: source === "model" ? [] : ["encoding"] },
    );
  }
  return bytes;
}

function hasUtf8Bom(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Magic numbers of the binary files most often given by mistake (each part: an offset and the
 * bytes there), and what to say of each. Binaries not listed are caught by their NUL bytes.
 */
const MAGIC: readonly { parts: readonly [number, readonly number[]][]; is: string; advice?: string }[] = [
  { parts: [[0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]]], is: "a PNG image" },
  { parts: [[0, [0xff, 0xd8, 0xff]]], is: "a JPEG image" },
  { parts: [[0, ascii("GIF87a")]], is: "a GIF image" },
  { parts: [[0, ascii("GIF89a")]], is: "a GIF image" },
  {
    parts: [
      [0, ascii("RIFF")],
      [8, ascii("WEBP")],
    ],
    is: "a WebP image",
  },
  { parts: [[0, ascii("II*\0")]], is: "a TIFF image" },
  { parts: [[0, ascii("MM\0*")]], is: "a TIFF image" },
  { parts: [[0, ascii("%PDF-")]], is: "a PDF document" },
  {
    parts: [[0, ascii("PK\x03\x04")]],
    is: "a ZIP archive",
    advice: "an Excel .xlsx workbook is one: save it as CSV",
  },
  { parts: [[0, [0x1f, 0x8b]]], is: "gzip-compressed data", advice: "decompress it first" },
  {
    parts: [[0, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]]],
    is: "an Excel .xls workbook",
    advice: "save it as CSV",
  },
];

function ascii(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}

/** Refuses images, archives, UTF-16 and anything holding a NUL byte: CSV text never does. */
function refuseNonText(file: string, bytes: Buffer): void {
  for (const m of MAGIC) {
    if (m.parts.every(([at, magic]) => magic.every((b, i) => bytes[at + i] === b)))
      throw new StrataError(
        `${file}: looks like ${m.is}, not a CSV text file${m.advice ? `; ${m.advice}` : ""}`,
      );
  }
  if (isUtf16(bytes))
    throw new StrataError(
      `${file}: is UTF-16 text (as Excel's "Unicode text" saves it); save it as UTF-8 ("CSV UTF-8") and try again`,
    );
  const nul = bytes.indexOf(0);
  if (nul !== -1)
    throw new StrataError(
      `${where(file, lineAt(bytes, nul))}: holds a NUL byte, which text never does: a binary file, not a CSV text file`,
    );
}

/** A UTF-16 byte-order mark, or (without one) ASCII text with every other byte 0. */
function isUtf16(bytes: Buffer): boolean {
  if (
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
  )
    return true;
  const n = Math.min(bytes.length, 512) & ~1;
  if (n < 4) return false;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const half = n / 2;
  return (oddZeros > 0.9 * half && evenZeros === 0) || (evenZeros > 0.9 * half && oddZeros === 0);
}

/** The offset of the first byte that does not start a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0) return i;
    for (let k = 1; k <= n; k++) if (i + k >= bytes.length || (bytes[i + k] & 0xc0) !== 0x80) return i;
    const next = bytes[i + 1];
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    if (
      (c === 0xe0 && next < 0xa0) ||
      (c === 0xed && next >= 0xa0) ||
      (c === 0xf0 && next < 0x90) ||
      (c === 0xf4 && next >= 0x90)
    )
      return i;
    i += n + 1;
  }
  return 0; // isUtf8 disagreed; blame the start rather than pass the file
}

/** The 1-based line of a byte offset (CRLF, LF and lone CR end lines). */
function lineAt(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 10 || (bytes[i] === 13 && bytes[i + 1] !== 10)) line++;
  return line;
}

/** `after "2,caf"`: the text of the line before `offset` (its last 20 characters). */
function context(bytes: Buffer, offset: number): string {
  let start = offset;
  while (start > 0 && bytes[start - 1] !== 10 && bytes[start - 1] !== 13 && offset - start < 80) start--;
  const before = bytes
    .subarray(start, offset)
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  return before === "" ? "at the start of the line" : `after "${[...before].slice(-20).join("")}"`;
}
