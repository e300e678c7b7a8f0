import { ctx, int, NULL, oid, seq } from './der.js';
import { DIGEST_OID, OID, type DigestAlgorithm, type SignatureAlgorithm } from './oids.js';

/** Digest AlgorithmIdentifier with absent parameters (RFC 5754 §2). */
export function digestAlgorithmId(alg: DigestAlgorithm): Uint8Array {
  return seq(oid(DIGEST_OID[alg]));
}

const RSA_OID: Record<DigestAlgorithm, string> = {
  sha256: OID.sha256WithRSA,
  sha384: OID.sha384WithRSA,
  sha512: OID.sha512WithRSA,
};
const ECDSA_OID: Record<DigestAlgorithm, string> = {
  sha256: OID.ecdsaSha256,
  sha384: OID.ecdsaSha384,
  sha512: OID.ecdsaSha512,
};
export const PSS_SALT: Record<DigestAlgorithm, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** RSASSA-PSS-params (RFC 4055 §3.1): hash, MGF1 with the same hash, salt = hash length. */
function pssParams(alg: DigestAlgorithm): Uint8Array {
  const hash = seq(oid(DIGEST_OID[alg]), NULL);
  return seq(ctx(0, hash), ctx(1, seq(oid(OID.mgf1), hash)), ctx(2, int(PSS_SALT[alg])));
}

export function signatureAlgorithmId(alg: SignatureAlgorithm, digest: DigestAlgorithm): Uint8Array {
  switch (alg) {
    case 'RSA-PKCS1':
      return seq(oid(RSA_OID[digest]), NULL);
    case 'RSA-PSS':
      return seq(oid(OID.rsassaPss), pssParams(digest));
    case 'ECDSA':
      return seq(oid(ECDSA_OID[digest]));
  }
}
