import { LibraryError } from '../../errors/library-error.js';

/**
 * A CMS, key or time-stamp failure. Codes: CMS_BAD_CERTIFICATE, CMS_BAD_SIGNATURE, CMS_KEY_MISMATCH,
 * P12_BAD_PASSWORD, P12_INVALID, P12_NO_KEY, TSA_UNAVAILABLE, TSA_REJECTED.
 */
export class CmsError extends LibraryError {}

export const badDer = (message: string): CmsError => new CmsError('CMS_BAD_DER', message);
