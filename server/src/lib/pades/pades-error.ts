import { LibraryError } from '../../errors/library-error.js';

/** A PAdES-level failure. Codes: PADES_BAD_OPTIONS, PADES_NO_TSA, PADES_BAD_SESSION, PADES_SIGNATURE_INVALID. */
export class PadesError extends LibraryError {}
