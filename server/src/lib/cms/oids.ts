import { OID } from '../pki/oids.js';

/** One table of object identifiers for the PKI and CMS code alike. */
export { OID };

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';
export type SignatureAlgorithm = 'RSA-PKCS1' | 'RSA-PSS' | 'ECDSA';

export const DIGEST_OID: Record<DigestAlgorithm, string> = {
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};
export const DIGEST_LENGTH: Record<DigestAlgorithm, number> = {
  sha256: 32,
  sha384: 48,
  sha512: 64,
};
