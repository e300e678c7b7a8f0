import { LibraryError } from '../../errors/library-error.js';

/**
 * Failure of the PKI library (keys, certificates, CSR, CRL, OCSP, TSA, PKCS#12). The code is
 * stable (e.g. `PKI_CSR_BAD_SIGNATURE`); the message says what to change.
 */
export class PkiError extends LibraryError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

export const badDer = (message: string): PkiError => new PkiError('PKI_BAD_DER', message);
