import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  constants,
  createPublicKey,
  generateKeyPairSync,
  sign as nativeSign,
  verify as nativeVerify,
  type KeyObject,
} from 'node:crypto';
import { PkiError } from './errors.js';
import { OID } from './oids.js';
import { decodeDer, toArrayBuffer } from './der.js';

export type KeyAlgorithm = 'rsa2048' | 'rsa3072' | 'p256';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['rsa2048', 'rsa3072', 'p256'];
export type HashName = 'sha256' | 'sha384' | 'sha512';
export type SignatureScheme = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';
export type SignatureAlgorithm = { scheme: SignatureScheme; hash: HashName };

/** RSASSA-PSS always uses MGF1 with the same hash and this salt length (Thông tư 15/2025). */
export const PSS_SALT_LENGTH = 32;

/**
 * Anything that can sign for a certificate: the native implementation wraps a KeyObject; a
 * PKCS#11 HSM or a remote CA implements the same shape. `sign` receives the exact bytes to be
 * signed (TBS structure, signed attributes…) and returns the signature value as it goes into
 * the structure (ECDSA: DER `Ecdsa-Sig-Value`).
 */
export type KeySigner = {
  algorithm: SignatureAlgorithm;
  publicKey: KeyObject;
  sign(data: Uint8Array): Promise<Uint8Array>;
};

export function generateKeyPair(algorithm: KeyAlgorithm): {
  privateKey: KeyObject;
  publicKey: KeyObject;
} {
  switch (algorithm) {
    case 'rsa2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
    case 'rsa3072':
      return generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 0x10001 });
    case 'p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  }
}

/** The scheme a key type signs with by default: PKCS#1 v1.5 for RSA (widest support), ECDSA. */
export function defaultSignatureAlgorithm(
  key: KeyObject,
  hash: HashName = 'sha256',
): SignatureAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { scheme: 'rsa-pkcs1', hash };
  if (type === 'rsa-pss') return { scheme: 'rsa-pss', hash };
  if (type === 'ec') return { scheme: 'ecdsa', hash };
  throw new PkiError(
    'PKI_UNSUPPORTED_KEY',
    `Keys of type "${type}" are not supported; use RSA or ECDSA P-256.`,
  );
}

function nativeOptions(key: KeyObject, scheme: SignatureScheme) {
  if (scheme === 'rsa-pss') {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT_LENGTH };
  }
  if (scheme === 'ecdsa') return { key, dsaEncoding: 'der' as const };

  return { key, padding: constants.RSA_PKCS1_PADDING };
}

function assertSchemeFits(key: KeyObject, scheme: SignatureScheme): void {
  const isEc = key.asymmetricKeyType === 'ec';
  if (isEc !== (scheme === 'ecdsa')) {
    throw new PkiError(
      'PKI_ALGORITHM_MISMATCH',
      `A ${key.asymmetricKeyType} key cannot sign with ${scheme}; pick a scheme that matches the key.`,
    );
  }
}

/** Private keys of native signers, so the same key can sign with another algorithm. */
const nativeKeys = new WeakMap<KeySigner, KeyObject>();

/** Native signing with a private KeyObject, the default KeySigner implementation. */
export function createKeySigner(privateKey: KeyObject, algorithm?: SignatureAlgorithm): KeySigner {
  const chosen = algorithm ?? defaultSignatureAlgorithm(privateKey);
  assertSchemeFits(privateKey, chosen.scheme);
  const options = nativeOptions(privateKey, chosen.scheme);
  const signer: KeySigner = {
    algorithm: chosen,
    publicKey: createPublicKey(privateKey),
    sign: async (data) => new Uint8Array(nativeSign(chosen.hash, data, options)),
  };
  nativeKeys.set(signer, privateKey);

  return signer;
}

/**
 * The same key signing with another algorithm (e.g. PSS for CMS while certificates use v1.5).
 * The padding must change with the label: relabelling alone would produce PKCS#1 v1.5
 * signatures declared as PSS, which every verifier rejects.
 */
export function withAlgorithm(signer: KeySigner, algorithm: SignatureAlgorithm): KeySigner {
  const key = nativeKeys.get(signer);
  if (!key) {
    throw new PkiError(
      'PKI_ALGORITHM_MISMATCH',
      'Only a native key signer can change its signature algorithm; build the signer with the algorithm it needs.',
    );
  }

  return createKeySigner(key, algorithm);
}

export function verifySignature(
  publicKey: KeyObject,
  algorithm: SignatureAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    return nativeVerify(
      algorithm.hash,
      data,
      nativeOptions(publicKey, algorithm.scheme),
      signature,
    );
  } catch {
    return false;
  }
}

export const HASH_OID: Record<HashName, string> = {
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

export function hashFromOid(oid: string): HashName | undefined {
  return (Object.keys(HASH_OID) as HashName[]).find((name) => HASH_OID[name] === oid);
}

const RSA_OID: Record<HashName, string> = {
  sha256: OID.sha256WithRSA,
  sha384: OID.sha384WithRSA,
  sha512: OID.sha512WithRSA,
};
const ECDSA_OID: Record<HashName, string> = {
  sha256: OID.ecdsaSha256,
  sha384: OID.ecdsaSha384,
  sha512: OID.ecdsaSha512,
};

export function hashAlgorithmIdentifier(hash: HashName): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({
    algorithmId: HASH_OID[hash],
    algorithmParams: new asn1js.Null(),
  });
}

function pssParams(hash: HashName): asn1js.Sequence {
  return new pkijs.RSASSAPSSParams({
    hashAlgorithm: hashAlgorithmIdentifier(hash),
    maskGenAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: OID.mgf1,
      algorithmParams: hashAlgorithmIdentifier(hash).toSchema(),
    }),
    saltLength: PSS_SALT_LENGTH,
  }).toSchema();
}

/** AlgorithmIdentifier for a signature (certificate, CRL, OCSP, CMS signatureAlgorithm). */
export function signatureAlgorithmIdentifier(
  algorithm: SignatureAlgorithm,
): pkijs.AlgorithmIdentifier {
  const { scheme, hash } = algorithm;
  if (scheme === 'ecdsa') return new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_OID[hash] });
  if (scheme === 'rsa-pss') {
    return new pkijs.AlgorithmIdentifier({
      algorithmId: OID.rsassaPss,
      algorithmParams: pssParams(hash),
    });
  }

  return new pkijs.AlgorithmIdentifier({
    algorithmId: RSA_OID[hash],
    algorithmParams: new asn1js.Null(),
  });
}

function pssFromParams(params: unknown): SignatureAlgorithm {
  const parsed = new pkijs.RSASSAPSSParams({ schema: params });
  const hash = hashFromOid(parsed.hashAlgorithm.algorithmId);
  if (!hash || parsed.saltLength !== PSS_SALT_LENGTH) {
    throw new PkiError(
      'PKI_UNSUPPORTED_ALGORITHM',
      `RSASSA-PSS is accepted with SHA-2 and salt ${PSS_SALT_LENGTH} only.`,
    );
  }

  return { scheme: 'rsa-pss', hash };
}

/** Inverse of signatureAlgorithmIdentifier; throws for algorithms this library does not verify. */
export function signatureAlgorithmFrom(identifier: pkijs.AlgorithmIdentifier): SignatureAlgorithm {
  const oid = identifier.algorithmId;
  if (oid === OID.rsassaPss) return pssFromParams(identifier.algorithmParams);
  for (const hash of Object.keys(HASH_OID) as HashName[]) {
    if (RSA_OID[hash] === oid) return { scheme: 'rsa-pkcs1', hash };
    if (ECDSA_OID[hash] === oid) return { scheme: 'ecdsa', hash };
  }
  throw new PkiError(
    'PKI_UNSUPPORTED_ALGORITHM',
    `Signature algorithm ${oid} is not supported (RSA/ECDSA with SHA-2).`,
  );
}

/** SubjectPublicKeyInfo (pkijs) of a native public key. */
export function publicKeyInfo(publicKey: KeyObject): pkijs.PublicKeyInfo {
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));

  return new pkijs.PublicKeyInfo({ schema: decodeDer(spki, 'public key') });
}

/** Native public key of a pkijs SubjectPublicKeyInfo. */
export function nativePublicKey(info: pkijs.PublicKeyInfo): KeyObject {
  const der = new Uint8Array(info.toSchema().toBER(false));

  return createPublicKey({ key: Buffer.from(toArrayBuffer(der)), format: 'der', type: 'spki' });
}
