import { X509Certificate } from 'node:crypto';
import { CmsError } from './cms-error.js';

export function x509(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (cause) {
    throw new CmsError('CMS_BAD_CERTIFICATE', 'A certificate of the chain cannot be parsed.', {
      cause,
    });
  }
}
