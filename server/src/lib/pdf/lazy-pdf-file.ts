import { PDFContext } from 'pdf-lib';
import { lazyContext } from './lazy-reader.js';
import { PdfError } from './pdf-error.js';
import { checkHeader, loadPdf, openedFile, refuseEncrypted, type PdfFile } from './pdf-file.js';
import { READER_LIMITS, ReaderLimitError, XrefBrokenError } from './stream-decode.js';
import { findLastStartxref, readTrailer } from './trailer.js';
import { readXrefChain } from './xref-table.js';

/**
 * Opens `bytes` lazily: follows the cross-reference chain and reads objects only when looked up
 * (trailer, catalog, AcroForm, one page…), so signing a 10 MB file of images touches kilobytes.
 * Throws XrefBrokenError when the cross-reference data cannot be trusted.
 */
export function openPdfLazily(bytes: Uint8Array): PdfFile {
  checkHeader(bytes);
  if (bytes.length > READER_LIMITS.maxFileBytes)
    throw new ReaderLimitError(
      `The PDF is ${bytes.length} bytes; at most ${READER_LIMITS.maxFileBytes} bytes are accepted.`,
    );
  const startxref = findLastStartxref(bytes);
  let xref;
  try {
    // cross-reference dictionaries hold direct objects only: a throwaway context parses them
    xref = readXrefChain(bytes, startxref, PDFContext.create());
  } catch (cause) {
    if (cause instanceof PdfError) throw cause;
    throw new XrefBrokenError(
      `The cross-reference data cannot be read: ${(cause as Error).message}`,
    );
  }
  const context = lazyContext(bytes, xref);
  let trailer;
  try {
    trailer = readTrailer(bytes, context);
  } catch (cause) {
    throw new XrefBrokenError(`The last trailer cannot be read: ${(cause as Error).message}`);
  }
  refuseEncrypted(!!trailer.encrypt);
  context.trailerInfo.Root = trailer.root;
  if (trailer.info) context.trailerInfo.Info = trailer.info;
  if (trailer.id) context.trailerInfo.ID = trailer.id;
  return openedFile(
    bytes,
    context,
    trailer,
    xref.maxObjectNumber,
    () => new XrefBrokenError('The trailer /Root does not lead to a catalog dictionary.'),
  );
}

/**
 * Runs `work` on the lazily opened file; if the cross-reference data turns out broken (at open
 * or at any later lookup), runs it again on pdf-lib's full parse, which reconstructs the table
 * by scanning the file. `work` must be free of side effects besides its result.
 */
export async function withPdf<T>(
  bytes: Uint8Array,
  work: (file: PdfFile) => Promise<T>,
): Promise<T> {
  let file: PdfFile;
  try {
    file = openPdfLazily(bytes);
  } catch (e) {
    if (!(e instanceof XrefBrokenError)) throw e;
    return work(await loadPdf(bytes));
  }
  try {
    return await work(file);
  } catch (e) {
    if (!(e instanceof XrefBrokenError)) throw e;
    return work(await loadPdf(bytes));
  }
}

export { READER_LIMITS, XrefBrokenError };
