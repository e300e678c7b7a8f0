import { PDFBool, PDFDict, PDFHexString, PDFName, type PDFRef } from 'pdf-lib';
import type { IncrementalUpdate } from './incremental-writer.js';
import type { PdfFile } from './pdf-file.js';

const N = (name: string): PDFName => PDFName.of(name);

/** /NM of the stamp that repeats a signature's appearance (placement treats it as a signature). */
export const COMPANION_NAME = 'lienthong-signature-appearance';

/**
 * /NeedAppearances true asks viewers to redraw every form field. poppler before 23 redraws a
 * signature widget too, from nothing: the visible signature vanishes (pdf.js and Acrobat keep
 * it). Clearing the flag is no cure: fields whose stored appearance is stale (LibreOffice writes
 * the value but an empty look) would lose their text.
 */
export function needsCompanion(file: PdfFile, catalog: PDFDict): boolean {
  const acro = file.context.lookup(catalog.get(N('AcroForm')));
  const flag =
    acro instanceof PDFDict ? file.context.lookup(acro.get(N('NeedAppearances'))) : undefined;
  return flag instanceof PDFBool && flag.asBoolean();
}

/**
 * A locked, printable /Stamp annotation showing the same appearance over the same rectangle:
 * no viewer regenerates a stamp, so the signature stays visible everywhere. It is written in the
 * signed revision, so the signature covers it.
 */
export function companionStamp(
  file: PdfFile,
  update: IncrementalUpdate,
  page: PDFRef,
  rect: [number, number, number, number],
  look: PDFRef,
): PDFRef {
  const ref = update.allocate();
  update.set(
    ref,
    file.context.obj({
      Type: 'Annot',
      Subtype: 'Stamp',
      Rect: rect,
      F: 4 + 64 + 128, // Print, ReadOnly, Locked
      P: page,
      NM: PDFHexString.fromText(COMPANION_NAME),
      AP: { N: look },
    }),
  );
  return ref;
}
