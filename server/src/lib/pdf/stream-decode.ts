import { constants, inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRawStream } from 'pdf-lib';
import { PDF_LIMITS, PdfLimitError } from './limits.js';
import { PdfError } from './pdf-error.js';

/**
 * The lazy reader skips the whole-file limit scan (it costs more than signing a 10 MB file), so it
 * applies the same PDF_LIMITS to what it decodes and parses itself: cross-reference and object
 * streams, object counts, nesting. Image and content streams are never decoded at all.
 */
export const READER_LIMITS = PDF_LIMITS;

/** A structure the lazy reader cannot trust: the caller falls back to pdf-lib's full parse. */
export class XrefBrokenError extends PdfError {
  constructor(message: string) {
    super('PDF_XREF_BROKEN', message);
  }
}

/** Beyond PDF_LIMITS: refused as hostile, with the same code as the whole-file scan. */
export { PdfLimitError as ReaderLimitError };

/** The direct number under `key`; absent when missing, not a number, or a reference. */
export function numberIn(dict: PDFDict | undefined, key: string): number | undefined {
  const v = dict?.get(PDFName.of(key));
  return v instanceof PDFNumber ? v.asNumber() : undefined;
}

function filterNames(dict: PDFDict): string[] {
  const f = dict.get(PDFName.of('Filter'));
  if (f instanceof PDFName) return [f.decodeText()];
  if (f instanceof PDFArray)
    return f.asArray().map((n) => (n instanceof PDFName ? n.decodeText() : '?'));
  return [];
}

function decodeParms(dict: PDFDict): PDFDict | undefined {
  const p = dict.get(PDFName.of('DecodeParms'));
  if (p instanceof PDFDict) return p;
  if (p instanceof PDFArray) {
    const first = p.get(0);
    return first instanceof PDFDict ? first : undefined;
  }
  return undefined;
}

function checkSize(decoded: number, encoded: number): void {
  const max = READER_LIMITS.maxDecodedStreamBytes;
  if (decoded > max)
    throw new PdfLimitError(`A compressed object stream expands to more than ${max} bytes.`);
  if (
    decoded > READER_LIMITS.ratioFloorBytes &&
    decoded / Math.max(1, encoded) > READER_LIMITS.maxObjectStreamRatio
  )
    throw new PdfLimitError(
      `An object stream expands ${Math.round(decoded / Math.max(1, encoded))}×: a decompression bomb.`,
    );
}

function inflateBounded(data: Uint8Array): Uint8Array {
  try {
    // sync flush: a stream cut short yields what it has, as pdf-lib's inflater does
    return inflateSync(data, {
      maxOutputLength: READER_LIMITS.maxDecodedStreamBytes,
      finishFlush: constants.Z_SYNC_FLUSH,
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new PdfLimitError('A compressed object stream expands beyond the reader limit.');
    throw new XrefBrokenError(`A compressed stream cannot be inflated: ${(e as Error).message}`);
  }
}

/** Undoes PNG row predictors (10–15), as used by cross-reference streams. */
function unpredict(data: Uint8Array, parms: PDFDict | undefined): Uint8Array {
  const predictor = numberIn(parms, 'Predictor') ?? 1;
  if (predictor < 10) {
    if (predictor === 1) return data;
    throw new XrefBrokenError(`Predictor ${predictor} (TIFF) is not supported by the lazy reader.`);
  }
  const colors = numberIn(parms, 'Colors') ?? 1;
  const bpc = numberIn(parms, 'BitsPerComponent') ?? 8;
  const columns = numberIn(parms, 'Columns') ?? 1;
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLength = Math.ceil((colors * bpc * columns) / 8);
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = new Uint8Array(rows * rowLength);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLength + 1)]!;
    const src = r * (rowLength + 1) + 1;
    const row = r * rowLength;
    for (let i = 0; i < rowLength; i++) {
      const raw = data[src + i]!;
      const left = i >= bpp ? out[row + i - bpp]! : 0;
      const up = r > 0 ? out[row - rowLength + i]! : 0;
      const upLeft = r > 0 && i >= bpp ? out[row - rowLength + i - bpp]! : 0;
      out[row + i] = (raw + predict(type, left, up, upLeft)) & 0xff;
    }
  }
  return out;
}

function predict(type: number, left: number, up: number, upLeft: number): number {
  switch (type) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return (left + up) >> 1;
    case 4: {
      const p = left + up - upLeft;
      const pa = Math.abs(p - left);
      const pb = Math.abs(p - up);
      const pc = Math.abs(p - upLeft);
      return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }
    default:
      throw new XrefBrokenError(`Unknown PNG predictor row type ${type}.`);
  }
}

/**
 * Decoded data of a cross-reference or object stream: unfiltered, or Flate with an optional PNG
 * predictor via native zlib, bounded. Other chains (LZW, ASCII85 over Flate…) are rare for these
 * streams; they send the file to the full parse, whose whole-file limit scan covers them.
 */
export function decodeStream(stream: PDFRawStream): Uint8Array {
  const filters = filterNames(stream.dict);
  const raw = stream.getContents();
  if (filters.length === 0) return raw;
  if (filters.length !== 1 || filters[0] !== 'FlateDecode')
    throw new XrefBrokenError(`Filter chain [${filters.join(' ')}] is left to the full parser.`);
  const decoded = unpredict(inflateBounded(raw), decodeParms(stream.dict));
  checkSize(decoded.length, raw.length);
  return decoded;
}
