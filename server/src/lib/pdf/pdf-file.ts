import { PDFArray, PDFContext, PDFDict, PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import { checkParsedObjects, checkPdfLimits } from './limits.js';
import { withQuietParser } from './parser-warnings.js';
import { PdfError } from './pdf-error.js';
import { findLastStartxref, readTrailer, type TrailerInfo } from './trailer.js';

/** A parsed PDF ready to receive an incremental update. `bytes` is never modified. */
export type PdfFile = {
  bytes: Uint8Array;
  context: PDFContext;
  trailer: TrailerInfo;
  /** First object number that no section of the file uses. */
  nextObjectNumber: number;
  catalogRef: PDFRef;
  catalog: PDFDict;
};

/** Not empty, and a %PDF- header within the first 1024 bytes. */
export function checkHeader(bytes: Uint8Array): void {
  if (bytes.length === 0) throw new PdfError('PDF_EMPTY', 'The PDF is empty (0 bytes).');
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(1024, bytes.length)).toString(
    'latin1',
  );
  if (!head.includes('%PDF-'))
    throw new PdfError('PDF_NOT_PDF', 'The file is not a PDF: it has no %PDF- header.');
}

/** An encrypted file cannot be signed by an incremental update: both readers refuse it. */
export function refuseEncrypted(encrypted: boolean): void {
  if (encrypted) {
    throw new PdfError(
      'PDF_ENCRYPTED',
      'The PDF is encrypted; signing encrypted PDFs is not supported. Decrypt it first (e.g. qpdf --decrypt) and sign the result.',
    );
  }
}

/**
 * The opened file, once its trailer's /Root leads to a catalog (else `notCatalog`'s error);
 * `largestObjectNumber` is the highest number the reader has seen in the file.
 */
export function openedFile(
  bytes: Uint8Array,
  context: PDFContext,
  trailer: TrailerInfo,
  largestObjectNumber: number,
  notCatalog: () => Error,
): PdfFile {
  const catalog = context.lookup(trailer.root);
  if (!(catalog instanceof PDFDict)) throw notCatalog();
  return {
    bytes,
    context,
    trailer,
    nextObjectNumber: Math.max(trailer.size, largestObjectNumber + 1),
    catalogRef: trailer.root,
    catalog,
  };
}

/** Parses `bytes` with pdf-lib (objects only) and reads the last trailer ourselves. */
export async function loadPdf(bytes: Uint8Array): Promise<PdfFile> {
  checkHeader(bytes);
  findLastStartxref(bytes); // a truncated file fails here, before the parser guesses around it
  // a scratch context: a broken last trailer fails in milliseconds, not after a full parse of
  // the garbage (pdf-lib spends seconds recovering from a corrupted 300 KB file)
  const trailer = readTrailer(bytes, PDFContext.create());
  checkPdfLimits(bytes); // before pdf-lib inflates object streams and recurses into arrays
  let doc: PDFDocument;
  try {
    doc = await withQuietParser(() =>
      PDFDocument.load(bytes, {
        updateMetadata: false,
        ignoreEncryption: true,
        throwOnInvalidObject: false,
      }),
    );
  } catch (cause) {
    throw new PdfError('PDF_MALFORMED', `The PDF cannot be parsed: ${(cause as Error).message}`, {
      cause,
    });
  }
  const context = doc.context;
  checkParsedObjects(context);
  refuseEncrypted(!!(trailer.encrypt || context.trailerInfo.Encrypt));
  return openedFile(
    bytes,
    context,
    trailer,
    context.largestObjectNumber,
    () => new PdfError('PDF_MALFORMED', 'The trailer /Root is not a catalog dictionary.'),
  );
}

/** The first page's reference and dictionary, walking /Pages /Kids depth-first. */
export function firstPage(file: PdfFile): { ref: PDFRef; dict: PDFDict } {
  let nodeRef = file.catalog.get(PDFName.of('Pages'));
  for (let depth = 0; depth < 64 && nodeRef instanceof PDFRef; depth++) {
    const node = file.context.lookup(nodeRef);
    if (!(node instanceof PDFDict)) break;
    if (node.get(PDFName.of('Type')) === PDFName.of('Page')) return { ref: nodeRef, dict: node };
    const kids = file.context.lookup(node.get(PDFName.of('Kids')));
    nodeRef = kids instanceof PDFArray ? kids.get(0) : undefined;
  }
  throw new PdfError('PDF_MALFORMED', 'The PDF has no page to attach a signature field to.');
}
