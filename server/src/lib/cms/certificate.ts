import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import { CmsError } from './cms-error.js';
import { parseDer, rawBytes } from './der.js';

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
  const cert = parseDer(der, 'certificate');
  const tbs = cert instanceof asn1js.Sequence ? cert.valueBlock.value[0] : undefined;
  if (!(tbs instanceof asn1js.Sequence))
    throw new CmsError('CMS_BAD_CERTIFICATE', 'The certificate has no TBSCertificate.');
  const fields = tbs.valueBlock.value;
  const hasVersion = fields[0]?.idBlock.tagClass === 3;
  const serial = fields[hasVersion ? 1 : 0];
  const issuer = fields[hasVersion ? 3 : 2];
  if (!(serial instanceof asn1js.Integer) || !(issuer instanceof asn1js.Sequence)) {
    throw new CmsError(
      'CMS_BAD_CERTIFICATE',
      'The certificate lacks a serial number or an issuer name.',
    );
  }
  return { der, issuer: rawBytes(issuer), serial: rawBytes(serial) };
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
