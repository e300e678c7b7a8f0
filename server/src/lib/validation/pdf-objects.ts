/** Small typed accessors over pdf-lib's object model (its own API returns loose unions). */
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFObject,
  PDFRawStream,
  PDFRef,
  PDFStream,
  PDFString,
  ParseSpeeds,
  decodePDFRawStream,
} from 'pdf-lib';
import { checkParsedObjects } from '../pdf/limits.js';
import { withQuietParser } from '../pdf/parser-warnings.js';
import { unreadable } from './errors.js';

export async function loadPdf(bytes: Uint8Array): Promise<PDFDocument> {
  const doc = await parse(bytes);
  // Untrusted input: the object budget holds here too (the CLI reaches this without the hub's
  // upload checks), and a file without a catalog dictionary is unreadable, not a crash.
  checkParsedObjects(doc.context);
  let catalog: unknown;
  try {
    catalog = doc.catalog;
  } catch {
    catalog = undefined;
  }
  if (!(catalog instanceof PDFDict)) {
    throw unreadable('The PDF has no usable document catalog (/Root); it cannot be validated.');
  }

  return doc;
}

async function parse(bytes: Uint8Array): Promise<PDFDocument> {
  try {
    return await withQuietParser(() =>
      PDFDocument.load(bytes, {
        updateMetadata: false,
        ignoreEncryption: true,
        throwOnInvalidObject: false,
        // No yielding every 100 objects: validation runs in a bounded queue anyway, and the
        // per-tick awaits were a measurable share of the load time.
        parseSpeed: ParseSpeeds.Fastest,
      }),
    );
  } catch (e) {
    throw unreadable(
      `The file cannot be parsed as a PDF (${(e as Error).message}); check that it is a complete PDF file.`,
      e,
    );
  }
}

export function resolve(doc: PDFDocument, obj: PDFObject | undefined): PDFObject | undefined {
  return obj instanceof PDFRef ? doc.context.lookup(obj) : obj;
}

export function dictOf(doc: PDFDocument, obj: PDFObject | undefined): PDFDict | undefined {
  const v = resolve(doc, obj);
  if (v instanceof PDFDict) return v;
  if (v instanceof PDFStream) return v.dict;
  return undefined;
}

export function arrayOf(doc: PDFDocument, obj: PDFObject | undefined): PDFArray | undefined {
  const v = resolve(doc, obj);
  return v instanceof PDFArray ? v : undefined;
}

export function get(
  doc: PDFDocument,
  dict: PDFDict | undefined,
  key: string,
): PDFObject | undefined {
  return resolve(doc, dict?.get(PDFName.of(key)));
}

export function nameOf(
  doc: PDFDocument,
  dict: PDFDict | undefined,
  key: string,
): string | undefined {
  const v = get(doc, dict, key);
  return v instanceof PDFName ? v.decodeText() : undefined;
}

/** A string value, literal `(…)` or hex `<…>`. */
export function stringOf(v: PDFObject | undefined): PDFString | PDFHexString | undefined {
  return v instanceof PDFString || v instanceof PDFHexString ? v : undefined;
}

export function textOf(doc: PDFDocument, dict: PDFDict | undefined, key: string) {
  return stringOf(get(doc, dict, key))?.decodeText();
}

export function bytesOf(doc: PDFDocument, dict: PDFDict | undefined, key: string) {
  return stringOf(get(doc, dict, key))?.asBytes();
}

export function numbersOf(
  doc: PDFDocument,
  dict: PDFDict | undefined,
  key: string,
): number[] | undefined {
  const arr = arrayOf(doc, dict?.get(PDFName.of(key)));
  if (!arr) return undefined;
  const out: number[] = [];
  for (let i = 0; i < arr.size(); i++) {
    const n = resolve(doc, arr.get(i));
    if (!(n instanceof PDFNumber)) return undefined;
    out.push(n.asNumber());
  }
  return out;
}

export function streamBytes(doc: PDFDocument, obj: PDFObject | undefined): Uint8Array | undefined {
  const v = resolve(doc, obj);
  if (v instanceof PDFRawStream) {
    try {
      return decodePDFRawStream(v).decode();
    } catch {
      return undefined;
    }
  }
  if (v instanceof PDFStream) return v.getContents();
  return undefined;
}

/** Decoded contents of every stream in an array (e.g. /DSS /Certs). */
export function streamsOfArray(doc: PDFDocument, obj: PDFObject | undefined): Uint8Array[] {
  const arr = arrayOf(doc, obj);
  const out: Uint8Array[] = [];
  for (let i = 0; arr && i < arr.size(); i++) {
    const b = streamBytes(doc, arr.get(i));
    if (b) out.push(b);
  }
  return out;
}
