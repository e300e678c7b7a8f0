import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import type { PdfFile } from './pdf-file.js';

export type ExistingSignature = {
  fieldName: string;
  sigRef: PDFRef | undefined;
  /** /Contents decoded, zero padding included, as stored in the file. */
  contents: Uint8Array;
  byteRange: number[];
  subFilter: string | undefined;
};

const N = (n: string): PDFName => PDFName.of(n);

function textOf(obj: unknown): string {
  return obj instanceof PDFString || obj instanceof PDFHexString ? obj.decodeText() : '';
}

function walkFields(file: PdfFile, items: PDFArray | undefined, out: PDFDict[], depth = 0): void {
  for (const item of items?.asArray() ?? []) {
    const field = file.context.lookup(item);
    if (!(field instanceof PDFDict)) continue;
    out.push(field);
    const kids = file.context.lookup(field.get(N('Kids')));
    if (kids instanceof PDFArray && depth < 16) walkFields(file, kids, out, depth + 1);
  }
}

/** Signed signature fields of the file, ordered by where their signed range ends. */
export function listSignatures(file: PdfFile): ExistingSignature[] {
  const ctx = file.context;
  const acro = ctx.lookup(file.catalog.get(N('AcroForm')));
  const fields: PDFDict[] = [];
  if (acro instanceof PDFDict)
    walkFields(file, ctx.lookup(acro.get(N('Fields'))) as PDFArray | undefined, fields);
  const result: ExistingSignature[] = [];
  for (const field of fields) {
    const v = field.get(N('V'));
    const sig = ctx.lookup(v);
    if (field.get(N('FT')) !== N('Sig') || !(sig instanceof PDFDict)) continue;
    const contents = sig.get(N('Contents'));
    const range = ctx.lookup(sig.get(N('ByteRange')));
    const sub = sig.get(N('SubFilter'));
    result.push({
      fieldName: textOf(field.get(N('T'))),
      sigRef: v instanceof PDFRef ? v : undefined,
      contents:
        contents instanceof PDFHexString
          ? new Uint8Array(Buffer.from(contents.asString(), 'hex'))
          : new Uint8Array(),
      byteRange:
        range instanceof PDFArray
          ? range.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : 0))
          : [],
      subFilter: sub instanceof PDFName ? sub.decodeText() : undefined,
    });
  }
  const end = (s: ExistingSignature): number => (s.byteRange[2] ?? 0) + (s.byteRange[3] ?? 0);
  return result.sort((a, b) => end(a) - end(b));
}
