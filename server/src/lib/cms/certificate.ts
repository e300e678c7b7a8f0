import { createHash, X509Certificate } from 'node:crypto';
import { certFromDer } from '../pki/x509.js';
import { CmsError } from './cms-error.js';

/** The pieces of a certificate that CMS needs, taken byte-exact from its DER. */
export type CertificateParts = { der: Uint8Array; issuer: Uint8Array; serial: Uint8Array };

export function certificateParts(der: Uint8Array): CertificateParts {
  try {
    const cert = certFromDer(der);
    return { der, issuer: cert.issuerName.raw, serial: cert.serialDer };
  } catch (cause) {
    throw new CmsError(
      'CMS_BAD_CERTIFICATE',
      'The certificate lacks a serial number or an issuer name.',
      { cause },
    );
  }
}

export function certificateHash(der: Uint8Array, algorithm = 'sha256'): Buffer {
  return createHash(algorithm).update(der).digest();
}

export function x509(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (cause) {
    throw new CmsError('CMS_BAD_CERTIFICATE', 'A certificate of the chain cannot be parsed.', {
      cause,
    });
  }
}
