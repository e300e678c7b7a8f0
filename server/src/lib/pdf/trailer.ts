import {
  PDFArray,
  PDFContext,
  PDFDict,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFObjectParser,
  PDFRef,
  PDFStream,
} from 'pdf-lib';
import { PdfError } from './pdf-error.js';

/** What an incremental update needs to know about the file's last cross-reference section. */
export type TrailerInfo = {
  /** Offset given by the last `startxref`: the new section's /Prev. */
  xrefOffset: number;
  kind: 'table' | 'stream';
  /** /Size of the last section: the first free object number. */
  size: number;
  root: PDFRef;
  info?: PDFRef;
  id?: PDFArray;
  encrypt?: PDFObject;
};

const TAIL_WINDOW = 2048;

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** Offset written after the last `startxref` keyword (searched backwards, like a reader does). */
export function findLastStartxref(bytes: Uint8Array): number {
  const from = Math.max(0, bytes.length - TAIL_WINDOW);
  const tail = latin1(bytes, from, bytes.length);
  const at = tail.lastIndexOf('startxref');
  if (at < 0 || !tail.includes('%%EOF', at)) {
    throw new PdfError(
      'PDF_TRUNCATED',
      'The PDF has no final "startxref … %%EOF": it is truncated or not a PDF.',
    );
  }
  const match = /^startxref\s+(\d+)/.exec(tail.slice(at));
  const offset = match?.[1] ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(offset) || offset >= bytes.length) {
    throw new PdfError('PDF_MALFORMED', 'The last startxref of the PDF points outside the file.');
  }
  return offset;
}

function skipWhitespace(bytes: Uint8Array, pos: number): number {
  let p = pos;
  while (p < bytes.length && [0x20, 0x0a, 0x0d, 0x09, 0x0c, 0x00].includes(bytes[p] ?? 0)) p++;
  return p;
}

function parseDictAt(bytes: Uint8Array, pos: number, context: PDFContext): PDFDict {
  let obj: PDFObject;
  try {
    obj = PDFObjectParser.forBytes(bytes.subarray(pos), context).parseObject();
  } catch (cause) {
    // pdf-lib's parse errors are plain Errors: keep them inside the PdfError contract
    throw new PdfError(
      'PDF_MALFORMED',
      `The trailer of the last cross-reference section cannot be parsed: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (obj instanceof PDFStream) return obj.dict;
  if (obj instanceof PDFDict) return obj;
  throw new PdfError(
    'PDF_MALFORMED',
    'The trailer of the last cross-reference section is not a dictionary.',
  );
}

/** Reads the dictionary of the section the last startxref points to (classic trailer or xref stream). */
function lastTrailerDict(
  bytes: Uint8Array,
  xrefOffset: number,
  context: PDFContext,
): Pick<TrailerInfo, 'kind'> & { dict: PDFDict } {
  const start = skipWhitespace(bytes, xrefOffset);
  const head = latin1(bytes, start, Math.min(bytes.length, start + 64));
  if (head.startsWith('xref')) {
    const window = latin1(bytes, start, bytes.length);
    const at = window.indexOf('trailer');
    if (at < 0)
      throw new PdfError('PDF_MALFORMED', 'The last cross-reference table has no trailer.');
    return { kind: 'table', dict: parseDictAt(bytes, start + at + 'trailer'.length, context) };
  }
  const objHeader = /^\d+\s+\d+\s+obj/.exec(head);
  if (!objHeader) {
    throw new PdfError(
      'PDF_MALFORMED',
      'The last startxref points neither at "xref" nor at an xref stream object.',
    );
  }
  const dict = parseDictAt(bytes, start + objHeader[0].length, context);
  if (dict.get(PDFName.of('Type')) !== PDFName.of('XRef')) {
    throw new PdfError(
      'PDF_MALFORMED',
      'The object at the last startxref is not a /Type /XRef stream.',
    );
  }
  return { kind: 'stream', dict };
}

export function readTrailer(bytes: Uint8Array, context: PDFContext): TrailerInfo {
  const xrefOffset = findLastStartxref(bytes);
  const { kind, dict } = lastTrailerDict(bytes, xrefOffset, context);
  const size = dict.get(PDFName.of('Size'));
  const root = dict.get(PDFName.of('Root'));
  if (!(size instanceof PDFNumber) || !(root instanceof PDFRef)) {
    throw new PdfError('PDF_MALFORMED', 'The last trailer lacks /Size or an indirect /Root.');
  }
  const info = dict.get(PDFName.of('Info'));
  const id = dict.get(PDFName.of('ID'));
  const encrypt = dict.get(PDFName.of('Encrypt'));
  return {
    xrefOffset,
    kind,
    size: size.asNumber(),
    root,
    ...(info instanceof PDFRef ? { info } : {}),
    ...(id instanceof PDFArray ? { id } : {}),
    ...(encrypt ? { encrypt } : {}),
  };
}
