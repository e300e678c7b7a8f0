import { LibraryError } from '../../errors/library-error.js';

/** A PDF that cannot be read or updated. Codes: PDF_EMPTY, PDF_NOT_PDF, PDF_TRUNCATED, PDF_MALFORMED, PDF_ENCRYPTED. */
export class PdfError extends LibraryError {}
