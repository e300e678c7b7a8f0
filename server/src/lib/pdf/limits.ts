/**
 * Resource limits for untrusted PDFs, checked on the raw bytes before any parser sees them.
 *
 * pdf-lib parses every object eagerly and inflates object and cross-reference streams without a
 * size bound, and the hub's own walkers recurse over arrays and dictionaries. A few kilobytes can
 * therefore cost gigabytes (FlateDecode bombs, huge /N object streams) or blow the stack (deep
 * nesting). This scan is linear in the file size, never decodes more than the per-stream cap, and
 * refuses the file with PDF_LIMIT_EXCEEDED before that work happens.
 */
import { constants, inflateSync } from 'node:zlib';
import {
  PDFArray,
  PDFContext,
  PDFDict,
  PDFName,
  PDFRawStream,
  PDFStream,
  decodePDFRawStream,
  type PDFObject,
} from 'pdf-lib';
import { PdfError } from './pdf-error.js';

export type PdfLimits = {
  /** Largest file accepted (the upload limit of the hub is lower). */
  maxFileBytes: number;
  /** Indirect objects: `n g obj` headers plus the /N of every object stream. */
  maxObjects: number;
  /** Nesting of arrays and dictionaries inside one object. */
  maxNestingDepth: number;
  /** A declared direct /Length larger than this (or than the file) is a lie. */
  maxStreamLength: number;
  /** Decoded size of one stream (every filter pdf-lib decodes applied: Flate, LZW, ASCII85…). */
  maxDecodedStreamBytes: number;
  /** Decoded size of one Flate stream that zlib finds corrupt (pdf-lib still inflates those). */
  maxDecodedCorruptBytes: number;
  /** Decoded size of all filtered streams of the file together. */
  maxDecodedTotalBytes: number;
  /**
   * Decoded/encoded ratio allowed for streams the parser inflates on load (object and xref
   * streams), above `ratioFloorBytes`. Real object streams compress 3–10×; bombs ~1000×.
   */
  maxObjectStreamRatio: number;
  ratioFloorBytes: number;
};

export const PDF_LIMITS: Readonly<PdfLimits> = Object.freeze({
  maxFileBytes: 512 * 1024 * 1024,
  maxObjects: 500_000,
  maxNestingDepth: 100,
  maxStreamLength: 512 * 1024 * 1024,
  maxDecodedStreamBytes: 128 * 1024 * 1024,
  maxDecodedCorruptBytes: 16 * 1024 * 1024,
  maxDecodedTotalBytes: 512 * 1024 * 1024,
  maxObjectStreamRatio: 100,
  ratioFloorBytes: 1024 * 1024,
});

/** A PDF that exceeds a resource limit: refused as hostile or unreasonably large. */
export class PdfLimitError extends PdfError {
  constructor(message: string) {
    super('PDF_LIMIT_EXCEEDED', message);
  }
}

const CR = 0x0d;
const LF = 0x0a;
const isWhite = (b: number | undefined): boolean =>
  b === 0x20 || b === LF || b === CR || b === 0x09 || b === 0x0c || b === 0x00;
const isDelimiter = (b: number | undefined): boolean =>
  b === undefined || isWhite(b) || '()<>[]{}/%'.includes(String.fromCharCode(b));

/** Throws PdfLimitError when `bytes` exceed `limits`; returns quietly otherwise. */
export function checkPdfLimits(bytes: Uint8Array, limits: PdfLimits = PDF_LIMITS): void {
  if (bytes.length > limits.maxFileBytes) {
    throw new PdfLimitError(
      `The PDF is ${bytes.length} bytes; at most ${limits.maxFileBytes} bytes are accepted.`,
    );
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = largestSize(buf.toString('latin1'));
  if (size > limits.maxObjects) {
    throw new PdfLimitError(
      `The PDF's cross-reference declares /Size ${size}; at most ${limits.maxObjects} objects are accepted.`,
    );
  }
  const declared = checkStreams(buf, limits);
  const headers = checkNesting(buf, limits);
  if (headers + declared > limits.maxObjects) {
    throw new PdfLimitError(
      `The PDF declares ${headers + declared} objects; at most ${limits.maxObjects} are accepted.`,
    );
  }
}

/**
 * Every `stream` keyword of the file, wherever it appears (inside a string or a comment too): a
 * lexical pass could be steered past a bomb by a stray "(" that the parser later recovers from.
 * Returns the objects the object streams declare (/N).
 */
function checkStreams(buf: Buffer, limits: PdfLimits): number {
  let entries = 0;
  let decodedTotal = 0;
  for (let at = buf.indexOf('stream', 0, 'latin1'); at >= 0;) {
    const after = at + 'stream'.length;
    const isEnd = at >= 3 && buf.toString('latin1', at - 3, at) === 'end';
    if (!isEnd && (buf[after] === CR || buf[after] === LF)) {
      const objAt = buf.lastIndexOf('obj', at, 'latin1');
      const dict = buf.toString('latin1', Math.max(objAt, at - 65_536, 0), at);
      let dataStart = after;
      if (buf[dataStart] === CR) dataStart++;
      if (buf[dataStart] === LF) dataStart++;
      const end = buf.indexOf('endstream', dataStart, 'latin1');
      const data = buf.subarray(dataStart, end < 0 ? buf.length : end);
      checkDeclaredLength(dict, buf.length, limits);
      entries += declaredEntries(dict);
      decodedTotal += checkDecoded(dict, data, limits);
      if (decodedTotal > limits.maxDecodedTotalBytes) {
        throw new PdfLimitError(
          `The PDF's compressed streams expand to more than ${limits.maxDecodedTotalBytes} bytes in total.`,
        );
      }
    }
    at = buf.indexOf('stream', after, 'latin1');
  }
  return entries;
}

function isObjectStream(dict: string): boolean {
  return /\/Type\s*\/(ObjStm|XRef)\b/.test(dict);
}

/**
 * Objects an object stream (/N) or a cross-reference stream (/Index counts, else /Size) declares:
 * pdf-lib loops over the declared count even when the data is much shorter.
 */
function declaredEntries(dict: string): number {
  if (/\/Type\s*\/ObjStm\b/.test(dict)) return Number(/\/N\s+(\d+)/.exec(dict)?.[1] ?? 0);
  if (!/\/Type\s*\/XRef\b/.test(dict)) return 0;
  const index = /\/Index\s*\[([^\]]*)\]/.exec(dict)?.[1];
  if (index === undefined) return Number(/\/Size\s+(\d+)/.exec(dict)?.[1] ?? 0);
  const numbers = index.trim().split(/\s+/).map(Number);
  return numbers.reduce((sum, n, i) => (i % 2 === 1 && Number.isFinite(n) ? sum + n : sum), 0);
}

/** The largest direct /Size of any trailer or cross-reference stream. */
function largestSize(text: string): number {
  let max = 0;
  for (const m of text.matchAll(/\/Size\s+(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

function checkDeclaredLength(dict: string, fileLength: number, limits: PdfLimits): void {
  const m = /\/Length\s+(\d+)(?!\s+\d+\s+R)/.exec(dict);
  if (!m?.[1]) return;
  const declared = Number(m[1]);
  if (declared > limits.maxStreamLength || declared > fileLength) {
    throw new PdfLimitError(
      `A stream declares /Length ${m[1]}, more than the file (${fileLength} bytes) or the limit (${limits.maxStreamLength}).`,
    );
  }
}

/** Decoded size of one stream (0 when it is not Flate-encoded). */
function checkDecoded(dict: string, data: Buffer, limits: PdfLimits): number {
  const filters = decodableFilters(dict);
  if (filters.length === 0) return 0;
  const decoded = decodeBounded(data, filters, limits);
  const ratio = decoded / Math.max(1, data.length);
  if (
    isObjectStream(dict) &&
    decoded > limits.ratioFloorBytes &&
    ratio > limits.maxObjectStreamRatio
  ) {
    throw new PdfLimitError(
      `An object stream expands ${Math.round(ratio)}× (${decoded} bytes): a decompression bomb.`,
    );
  }
  return decoded;
}

/**
 * Nesting of `[` and `<<` outside stream data, strings and comments included (a bracket in a
 * string only makes the count conservative); reset at each object boundary. Returns the number
 * of `obj` headers.
 */
function checkNesting(buf: Buffer, limits: PdfLimits): number {
  let depth = 0;
  let headers = 0;
  for (let i = 0; i < buf.length;) {
    const b = buf[i]!;
    if (b === 0x5b || (b === 0x3c && buf[i + 1] === 0x3c)) {
      if (++depth > limits.maxNestingDepth) {
        throw new PdfLimitError(
          `The PDF nests arrays/dictionaries deeper than ${limits.maxNestingDepth} levels (near byte ${i}).`,
        );
      }
      i += b === 0x5b ? 1 : 2;
    } else if (b === 0x5d || (b === 0x3e && buf[i + 1] === 0x3e)) {
      if (depth > 0) depth--;
      i += b === 0x5d ? 1 : 2;
    } else if (b >= 0x61 && b <= 0x7a && isDelimiter(buf[i - 1])) {
      let p = i;
      while (p < buf.length && buf[p]! >= 0x61 && buf[p]! <= 0x7a) p++;
      const word = isDelimiter(buf[p]) ? buf.toString('latin1', i, p) : '';
      if (word === 'obj') headers++;
      if (word === 'obj' || word === 'endobj' || word === 'stream') depth = 0;
      i = word === 'stream' ? skipStreamData(buf, p) : p;
    } else i++;
  }
  return headers;
}

function skipStreamData(buf: Buffer, afterKeyword: number): number {
  const end = buf.indexOf('endstream', afterKeyword, 'latin1');
  return end < 0 ? buf.length : end + 'endstream'.length;
}

/**
 * After parsing: object count and nesting of what the parser actually built, walked with an
 * explicit stack (the hub's own walkers recurse, a 10,000-deep array would overflow them).
 */
export function checkParsedObjects(context: PDFContext, limits: PdfLimits = PDF_LIMITS): void {
  const objects = context.enumerateIndirectObjects();
  if (objects.length > limits.maxObjects) {
    throw new PdfLimitError(
      `The PDF holds ${objects.length} objects; at most ${limits.maxObjects} are accepted.`,
    );
  }
  const stack: [PDFObject, number][] = objects.map(([, o]) => [o, 0]);
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [obj, depth] = top;
    const dict = obj instanceof PDFStream ? obj.dict : obj;
    let kids: PDFObject[];
    if (dict instanceof PDFArray) kids = dict.asArray();
    else if (dict instanceof PDFDict) kids = dict.values();
    else continue;
    if (depth + 1 > limits.maxNestingDepth) {
      throw new PdfLimitError(
        `The PDF nests arrays/dictionaries deeper than ${limits.maxNestingDepth} levels.`,
      );
    }
    for (const k of kids) stack.push([k, depth + 1]);
  }
}

const DECODED_BY_PDF_LIB = new Set([
  'FlateDecode',
  'LZWDecode',
  'ASCII85Decode',
  'ASCIIHexDecode',
  'RunLengthDecode',
]);

/** The leading /Filter names pdf-lib would decode (image codecs stop the chain). */
function decodableFilters(dict: string): string[] {
  const m = /\/Filter\s*(\/[A-Za-z0-9]+|\[([^\]]*)\])/.exec(dict);
  if (!m?.[1]) return [];
  const names = (m[2] ?? m[1]).match(/\/[A-Za-z0-9]+/g) ?? [];
  const out: string[] = [];
  for (const n of names) {
    if (!DECODED_BY_PDF_LIB.has(n.slice(1))) break;
    out.push(n.slice(1));
  }
  return out;
}

const scratch = PDFContext.create();

/**
 * Decoded size after the filters, never materializing much more than `max` bytes. pdf-lib's own
 * decoders are used on purpose: zlib refuses corrupt data that pdf-lib's inflater keeps expanding.
 */
function decodeBounded(data: Buffer, filters: string[], limits: PdfLimits): number {
  const max = limits.maxDecodedStreamBytes;
  const fast = filters.every((f) => f === 'FlateDecode')
    ? inflateFast(data, filters.length, max)
    : undefined;
  return fast ?? decodeWithPdfLib(data, filters, limits);
}

const CHUNK = 1024 * 1024;

/**
 * pdf-lib's own decoders, read a megabyte at a time: zlib refuses corrupt data that pdf-lib's
 * inflater keeps expanding, so what counts is how far pdf-lib would get. Data zlib calls corrupt
 * gets the lower `maxDecodedCorruptBytes` bound.
 */
function decodeWithPdfLib(data: Buffer, filters: string[], limits: PdfLimits): number {
  const onlyFlate = filters.every((f) => f === 'FlateDecode');
  const max = onlyFlate ? limits.maxDecodedCorruptBytes : limits.maxDecodedStreamBytes;
  const dict = scratch.obj({ Filter: filters.map((f) => PDFName.of(f)) });
  const stream = PDFRawStream.of(dict, new Uint8Array(data.buffer, data.byteOffset, data.length));
  let total = 0;
  try {
    const decoder = decodePDFRawStream(stream);
    for (;;) {
      const chunk = decoder.getBytes(CHUNK).length;
      total += chunk;
      if (total > max)
        throw new PdfLimitError(`A compressed stream expands to more than ${max} bytes.`);
      if (chunk < CHUNK) return total;
    }
  } catch (e) {
    if (e instanceof PdfLimitError) throw e;
    return total; // the decoder gave up here, and so will the parser
  }
}

/**
 * Native zlib, about 30× faster than pdf-lib's inflater; undefined when zlib finds the data corrupt
 * (then pdf-lib's more lenient inflater decides the size).
 */
function inflateFast(data: Buffer, layers: number, max: number): number | undefined {
  let current = data;
  for (let i = 0; i < layers; i++) {
    try {
      // sync flush: a truncated stream yields what it has, as pdf-lib's inflater does
      current = inflateSync(current, { maxOutputLength: max, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (e) {
      if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw new PdfLimitError(`A compressed stream expands to more than ${max} bytes.`);
      return undefined;
    }
  }
  return current.length;
}
