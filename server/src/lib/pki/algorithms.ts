/**
 * Digest and signature algorithms in one place: their types, object identifiers, how they are
 * written as AlgorithmIdentifier, how they are read back, and the options Node's native
 * `crypto.sign`/`verify` need. Signing and verification are always Node's; ASN.1 only says which
 * algorithm and parameters were used.
 */
import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import { ctx, int, NULL, oid, seq, type AlgId, type Der } from '../asn1/index.js';
import { OID } from '../asn1/oids.js';

/** The digests this hub signs with. */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';
export type SignatureScheme = 'RSA-PKCS1' | 'RSA-PSS' | 'ECDSA';
export type SignatureAlgorithm = { scheme: SignatureScheme; hash: DigestAlgorithm };

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
const SIGNATURE_OID: Record<'RSA-PKCS1' | 'ECDSA', Record<DigestAlgorithm, string>> = {
  'RSA-PKCS1': { sha256: OID.sha256WithRSA, sha384: OID.sha384WithRSA, sha512: OID.sha512WithRSA },
  ECDSA: { sha256: OID.ecdsaSha256, sha384: OID.ecdsaSha384, sha512: OID.ecdsaSha512 },
};
const DIGESTS = Object.keys(DIGEST_OID) as DigestAlgorithm[];

export function digestFromOid(oid: string): DigestAlgorithm | undefined {
  return DIGESTS.find((name) => DIGEST_OID[name] === oid);
}

/** The one RSASSA-PSS rule: MGF1 with the message digest and a salt as long as it (RFC 4055 §3.1). */
export function pssSaltLength(hash: DigestAlgorithm): number {
  return DIGEST_LENGTH[hash];
}

/** Digest AlgorithmIdentifier; parameters absent as RFC 5754 §2 asks, NULL where a peer expects it. */
export function digestAlgorithmId(hash: DigestAlgorithm, nullParameters = false): Uint8Array {
  return nullParameters ? seq(oid(DIGEST_OID[hash]), NULL) : seq(oid(DIGEST_OID[hash]));
}

/** AlgorithmIdentifier of a signature (certificate, CRL, OCSP, CMS signatureAlgorithm). */
export function signatureAlgorithmId({ scheme, hash }: SignatureAlgorithm): Uint8Array {
  switch (scheme) {
    case 'RSA-PKCS1':
      return seq(oid(SIGNATURE_OID[scheme][hash]), NULL);
    case 'ECDSA':
      return seq(oid(SIGNATURE_OID[scheme][hash]));
    case 'RSA-PSS': {
      const digest = digestAlgorithmId(hash, true);
      const params = seq(
        ctx(0, digest),
        ctx(1, seq(oid(OID.mgf1), digest)),
        ctx(2, int(pssSaltLength(hash))),
      );
      return seq(oid(OID.rsassaPss), params);
    }
  }
}

/**
 * Inverse of signatureAlgorithmId for what this hub itself accepts (CSR, OCSP requests):
 * SHA-2 only, PSS with the salt rule above; undefined for anything else.
 */
export function signatureAlgorithmOf(alg: AlgId): SignatureAlgorithm | undefined {
  if (alg.oid === OID.rsassaPss) {
    try {
      const { hash, saltLength } = pssParams(alg.params);
      const digest = DIGESTS.find((d) => d === hash);
      if (digest && saltLength === pssSaltLength(digest))
        return { scheme: 'RSA-PSS', hash: digest };
    } catch {
      // a digest this hub does not know: unsupported like any other
    }
    return undefined;
  }
  for (const hash of DIGESTS) {
    if (SIGNATURE_OID['RSA-PKCS1'][hash] === alg.oid) return { scheme: 'RSA-PKCS1', hash };
    if (SIGNATURE_OID.ECDSA[hash] === alg.oid) return { scheme: 'ECDSA', hash };
  }
  return undefined;
}

/** Options for Node's `crypto.sign`/`verify` with a key and a scheme. */
export function nodeSignOptions(key: KeyObject, { scheme, hash }: SignatureAlgorithm) {
  if (scheme === 'RSA-PSS')
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: pssSaltLength(hash) };
  if (scheme === 'ECDSA') return { key, dsaEncoding: 'der' as const };
  return { key, padding: constants.RSA_PKCS1_PADDING };
}

/*
 * Reading what others signed with: the validator names and verifies any algorithm it meets,
 * including weak and foreign ones, and reports on them rather than refusing to read them.
 */

/** [`${arc}.${i + 1}`, i-th name] for the space-separated names of an arc ('-': not read). */
function arcNumbers(arc: string, names: string): [string, string][] {
  return names.split(' ').flatMap((name, i) => (name === '-' ? [] : [[`${arc}.${i + 1}`, name]]));
}

const READ_DIGESTS: Record<string, string> = Object.fromEntries([
  [OID.sha1, 'sha1'],
  ...arcNumbers(
    '2.16.840.1.101.3.4.2',
    'sha256 sha384 sha512 sha224 - - sha3-224 sha3-256 sha3-384 sha3-512',
  ),
]);

type ReadKind = 'rsa' | 'ecdsa' | 'plain-ecdsa';
// BSI TR-03111 plain ECDSA: the signature value is r || s (IEEE P1363), not a DER SEQUENCE.
const PLAIN_ECDSA = arcNumbers(
  '0.4.0.127.0.7.1.1.4.1',
  'sha1 sha224 sha256 sha384 sha512 - - sha3-224 sha3-256 sha3-384 sha3-512',
);

/** Signature OIDs that fix the digest themselves. */
const READ_SIGNATURES: Record<string, { kind: ReadKind; hash: string }> = Object.fromEntries([
  ['1.2.840.113549.1.1.5', { kind: 'rsa', hash: 'sha1' }],
  ['1.2.840.113549.1.1.14', { kind: 'rsa', hash: 'sha224' }],
  ['1.2.840.10045.4.1', { kind: 'ecdsa', hash: 'sha1' }],
  ['1.2.840.10045.4.3.1', { kind: 'ecdsa', hash: 'sha224' }],
  ...DIGESTS.flatMap((hash) => [
    [SIGNATURE_OID['RSA-PKCS1'][hash], { kind: 'rsa', hash }],
    [SIGNATURE_OID.ECDSA[hash], { kind: 'ecdsa', hash }],
  ]),
  ...PLAIN_ECDSA.map(([oid, hash]) => [oid, { kind: 'plain-ecdsa', hash }]),
]);

const KIND_NAME = { rsa: 'RSA', ecdsa: 'ECDSA', 'plain-ecdsa': 'PLAIN-ECDSA' } as const;

export class UnsupportedAlgorithm extends Error {}

export function digestName(oid: string): string {
  const name = READ_DIGESTS[oid];
  if (!name) throw new UnsupportedAlgorithm(`digest ${oid}`);
  return name;
}

export function hashChunks(alg: string, chunks: Uint8Array[]): Buffer {
  const h = createHash(alg);
  for (const c of chunks) h.update(c);
  return h.digest();
}

/** A signature algorithm as read from a signature of any origin. */
export interface ReadScheme {
  name: string;
  hash: string;
  pss: { saltLength: number } | null;
  /** Signature value as r || s (BSI TR-03111 plain ECDSA) instead of DER. */
  plain?: boolean;
}

/** Resolves a CMS/X.509 signature algorithm; `digestOid` covers the bare rsaEncryption / ecPublicKey OIDs. */
export function signatureScheme(alg: AlgId, digestOid?: string): ReadScheme {
  const oid = alg.oid;
  const fixed = READ_SIGNATURES[oid];
  if (fixed)
    return {
      name: `${fixed.hash.toUpperCase()}with${KIND_NAME[fixed.kind]}`,
      hash: fixed.hash,
      pss: null,
      plain: fixed.kind === 'plain-ecdsa',
    };
  if ((oid === OID.rsaEncryption || oid === OID.ecPublicKey) && digestOid) {
    const hash = digestName(digestOid);
    return {
      name: `${hash.toUpperCase()}with${oid === OID.rsaEncryption ? 'RSA' : 'ECDSA'}`,
      hash,
      pss: null,
    };
  }
  if (oid === OID.rsassaPss) {
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

export function verifyWithScheme(
  scheme: ReadScheme,
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
