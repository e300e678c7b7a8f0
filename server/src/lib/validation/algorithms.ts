/**
 * OID → Node crypto parameters. Verification is always done by Node's native `crypto.verify`;
 * ASN.1 libraries only tell us which algorithm and parameters were used.
 */
import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import type { AlgId, Der } from './der.js';

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.7': 'sha3-224',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
};

/** Signature OIDs that fix the digest themselves. */
const SIGNATURES: Record<string, { kind: 'rsa' | 'ecdsa' | 'plain-ecdsa'; hash: string }> = {
  '1.2.840.113549.1.1.5': { kind: 'rsa', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { kind: 'rsa', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
  '1.2.840.10045.4.1': { kind: 'ecdsa', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { kind: 'ecdsa', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512' },
  // BSI TR-03111 plain ECDSA: the signature value is r || s (IEEE P1363), not a DER SEQUENCE.
  '0.4.0.127.0.7.1.1.4.1.1': { kind: 'plain-ecdsa', hash: 'sha1' },
  '0.4.0.127.0.7.1.1.4.1.2': { kind: 'plain-ecdsa', hash: 'sha224' },
  '0.4.0.127.0.7.1.1.4.1.3': { kind: 'plain-ecdsa', hash: 'sha256' },
  '0.4.0.127.0.7.1.1.4.1.4': { kind: 'plain-ecdsa', hash: 'sha384' },
  '0.4.0.127.0.7.1.1.4.1.5': { kind: 'plain-ecdsa', hash: 'sha512' },
  '0.4.0.127.0.7.1.1.4.1.8': { kind: 'plain-ecdsa', hash: 'sha3-224' },
  '0.4.0.127.0.7.1.1.4.1.9': { kind: 'plain-ecdsa', hash: 'sha3-256' },
  '0.4.0.127.0.7.1.1.4.1.10': { kind: 'plain-ecdsa', hash: 'sha3-384' },
  '0.4.0.127.0.7.1.1.4.1.11': { kind: 'plain-ecdsa', hash: 'sha3-512' },
};

const KIND_NAME = { rsa: 'RSA', ecdsa: 'ECDSA', 'plain-ecdsa': 'PLAIN-ECDSA' } as const;

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const RSA_PSS = '1.2.840.113549.1.1.10';
const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

export class UnsupportedAlgorithm extends Error {}

export function digestName(oid: string): string {
  const name = DIGESTS[oid];
  if (!name) throw new UnsupportedAlgorithm(`digest ${oid}`);
  return name;
}

export function hashChunks(alg: string, chunks: Uint8Array[]): Buffer {
  const h = createHash(alg);
  for (const c of chunks) h.update(c);
  return h.digest();
}

export interface SignatureScheme {
  name: string;
  hash: string;
  pss: { saltLength: number } | null;
  /** Signature value as r || s (BSI TR-03111 plain ECDSA) instead of DER. */
  plain?: boolean;
}

/** Resolves a CMS/X.509 signature algorithm; `digestOid` covers the bare rsaEncryption / ecPublicKey OIDs. */
export function signatureScheme(alg: AlgId, digestOid?: string): SignatureScheme {
  const oid = alg.oid;
  const fixed = SIGNATURES[oid];
  if (fixed)
    return {
      name: `${fixed.hash.toUpperCase()}with${KIND_NAME[fixed.kind]}`,
      hash: fixed.hash,
      pss: null,
      plain: fixed.kind === 'plain-ecdsa',
    };
  if ((oid === RSA_ENCRYPTION || oid === EC_PUBLIC_KEY) && digestOid) {
    const hash = digestName(digestOid);
    return {
      name: `${hash.toUpperCase()}with${oid === RSA_ENCRYPTION ? 'RSA' : 'ECDSA'}`,
      hash,
      pss: null,
    };
  }
  if (oid === RSA_PSS) {
    const { hash, saltLength } = pssParams(alg.params);
    return { name: `RSASSA-PSS(${hash})`, hash, pss: { saltLength } };
  }
  throw new UnsupportedAlgorithm(`signature ${oid}`);
}

/** RSASSA-PSS-params: [0] hashAlgorithm (default SHA-1), [2] saltLength (default 20). */
function pssParams(params: Der | undefined): { hash: string; saltLength: number } {
  let hash = 'sha1';
  let saltLength = 20;
  for (const field of params?.constructed ? params.children() : []) {
    if (field.isContext(0)) hash = digestName(field.at(0).at(0).oid());
    else if (field.isContext(2)) saltLength = field.at(0).small();
  }
  return { hash, saltLength };
}

export function verifySignature(
  scheme: SignatureScheme,
  data: Uint8Array,
  key: KeyObject,
  signature: Uint8Array,
): boolean {
  try {
    const keyArg = scheme.pss
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.pss.saltLength }
      : scheme.plain
        ? { key, dsaEncoding: 'ieee-p1363' as const }
        : key;
    return verify(scheme.hash, data, keyArg, signature);
  } catch {
    return false;
  }
}

/** Digests considered too weak to support a signature today (ETSI TS 119 312). */
export function isWeakDigest(hash: string): boolean {
  return hash === 'sha1' || hash === 'md5';
}
