import { LibraryError } from '../../errors/library-error.js';

/** Input the validator cannot work on at all (as opposed to a signature that fails). */
export class PdfValidationInputError extends LibraryError {}

export function unreadable(message: string, cause?: unknown): PdfValidationInputError {
  return new PdfValidationInputError('PDF_UNREADABLE', message, { cause });
}
