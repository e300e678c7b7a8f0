import { createHash, X509Certificate } from 'node:crypto';
import { readDer } from '../asn1/index.js';
import { CmsError } from './cms-error.js';

/** The pieces of a certificate that CMS needs, taken byte-exact from its DER. */
export type CertificateParts = { der: Uint8Array; issuer: Uint8Array; serial: Uint8Array };

/** A signer's chain is the same array on every signature: parse each certificate once. */
const partsCache = new WeakMap<Uint8Array, CertificateParts>();

export function certificateParts(der: Uint8Array): CertificateParts {
  let parts = partsCache.get(der);
  if (!parts) {
    parts = parseParts(der);
    partsCache.set(der, parts);
  }
  return parts;
}

function parseParts(der: Uint8Array): CertificateParts {
  try {
    const fields = readDer(der).expect(0x30, 'Certificate').at(0).expect(0x30, 'TBS').children();
    const hasVersion = fields[0]?.isContext(0) ?? false;
    const serial = fields[hasVersion ? 1 : 0]?.expect(0x02, 'serial');
    const issuer = fields[hasVersion ? 3 : 2]?.expect(0x30, 'issuer');
    if (!serial || !issuer) throw new Error('no serial number or issuer name');
    return { der, issuer: issuer.raw, serial: serial.raw };
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
