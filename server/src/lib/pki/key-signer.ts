import * as pkijs from 'pkijs';
import {
  createPublicKey,
  generateKeyPairSync,
  sign as nativeSign,
  verify as nativeVerify,
  type KeyObject,
} from 'node:crypto';
import { PkiError, badDer } from './errors.js';
import { algId, decodeDer, readDer, toArrayBuffer, toDer } from '../asn1/index.js';
import {
  digestAlgorithmId,
  nodeSignOptions,
  signatureAlgorithmOf,
  signatureAlgorithmId,
  type DigestAlgorithm,
  type SignatureAlgorithm,
  type SignatureScheme,
} from './algorithms.js';

export type KeyAlgorithm = 'rsa2048' | 'rsa3072' | 'p256';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['rsa2048', 'rsa3072', 'p256'];

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

/** The scheme a key type signs certificates with: PKCS#1 v1.5 for RSA (widest support), ECDSA. */
export function defaultSignatureAlgorithm(
  key: KeyObject,
  hash: DigestAlgorithm = 'sha256',
): SignatureAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return { scheme: 'RSA-PKCS1', hash };
  if (type === 'rsa-pss') return { scheme: 'RSA-PSS', hash };
  if (type === 'ec') return { scheme: 'ECDSA', hash };
  throw new PkiError(
    'PKI_UNSUPPORTED_KEY',
    `Keys of type "${type}" are not supported; use RSA or ECDSA P-256.`,
  );
}

function assertSchemeFits(key: KeyObject, scheme: SignatureScheme): void {
  const isEc = key.asymmetricKeyType === 'ec';
  if (isEc !== (scheme === 'ECDSA')) {
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
  const options = nodeSignOptions(privateKey, chosen);
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
    return nativeVerify(algorithm.hash, data, nodeSignOptions(publicKey, algorithm), signature);
  } catch {
    return false;
  }
}

/** pkijs form of a digest AlgorithmIdentifier (with NULL parameters, as TSA and OCSP peers expect). */
export function hashAlgorithmIdentifier(hash: DigestAlgorithm): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({
    schema: decodeDer(digestAlgorithmId(hash, true), 'digest algorithm', badDer),
  });
}

/** pkijs form of signatureAlgorithmId, for the structures pkijs builds (certificate, CRL). */
export function signatureAlgorithmIdentifier(
  algorithm: SignatureAlgorithm,
): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({
    schema: decodeDer(signatureAlgorithmId(algorithm), 'signature algorithm', badDer),
  });
}

/** The algorithm of a pkijs AlgorithmIdentifier; throws for algorithms this library does not verify. */
export function signatureAlgorithmFrom(identifier: pkijs.AlgorithmIdentifier): SignatureAlgorithm {
  const algorithm = signatureAlgorithmOf(algId(readDer(toDer(identifier.toSchema()))));
  if (!algorithm) {
    throw new PkiError(
      'PKI_UNSUPPORTED_ALGORITHM',
      `Signature algorithm ${identifier.algorithmId} is not supported (RSA/ECDSA with SHA-2, RSASSA-PSS with a salt of the digest's length).`,
    );
  }

  return algorithm;
}

/** SubjectPublicKeyInfo (pkijs) of a native public key. */
export function publicKeyInfo(publicKey: KeyObject): pkijs.PublicKeyInfo {
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));

  return new pkijs.PublicKeyInfo({ schema: decodeDer(spki, 'public key', badDer) });
}

/** Native public key of a pkijs SubjectPublicKeyInfo. */
export function nativePublicKey(info: pkijs.PublicKeyInfo): KeyObject {
  const der = new Uint8Array(info.toSchema().toBER(false));

  return createPublicKey({ key: Buffer.from(toArrayBuffer(der)), format: 'der', type: 'spki' });
}
