import {
  constants,
  createPrivateKey,
  sign,
  verify,
  type KeyObject,
  type X509Certificate,
} from 'node:crypto';
import { CmsError } from './cms-error.js';
import { x509 } from './certificate.js';
import { PSS_SALT } from './algorithms.js';
import type { DigestAlgorithm, SignatureAlgorithm } from './oids.js';

/** Whoever holds the key: a local KeyObject, an HSM, or a person's token through external signing. */
export type CmsSigner = {
  /** DER certificates, signer first. */
  certificateChain: Uint8Array[];
  algorithm: SignatureAlgorithm;
  digest?: DigestAlgorithm;
  /** Signs `dataToSign` (the DER signed attributes), hashing it with `digest` (default SHA-256). */
  sign(dataToSign: Uint8Array): Promise<Uint8Array>;
};

function signOptions(key: KeyObject, algorithm: SignatureAlgorithm, digest: DigestAlgorithm) {
  if (algorithm === 'RSA-PSS') {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[digest] };
  }
  if (algorithm === 'ECDSA') return { key, dsaEncoding: 'der' as const };
  return { key, padding: constants.RSA_PKCS1_PADDING };
}

/** The algorithm a key can do by default: ECDSA for EC keys, RSASSA-PSS for RSA (Thông tư 15/2025). */
export function defaultAlgorithm(key: KeyObject | X509Certificate): SignatureAlgorithm {
  const type = 'publicKey' in key ? key.publicKey.asymmetricKeyType : key.asymmetricKeyType;
  if (type === 'ec') return 'ECDSA';
  if (type === 'rsa' || type === 'rsa-pss') return 'RSA-PSS';
  throw new CmsError(
    'CMS_UNSUPPORTED_KEY',
    `Keys of type ${type ?? 'unknown'} are not supported (use RSA or ECDSA P-256).`,
  );
}

function checkAlgorithmFits(key: KeyObject, algorithm: SignatureAlgorithm): void {
  const isEc = key.asymmetricKeyType === 'ec';
  if (isEc !== (algorithm === 'ECDSA')) {
    throw new CmsError(
      'CMS_KEY_MISMATCH',
      `Algorithm ${algorithm} does not fit a ${key.asymmetricKeyType ?? '?'} key.`,
    );
  }
}

/** A signer that uses Node's native crypto on a private key held in this process. */
export function keySigner(
  privateKey: KeyObject,
  certificateChain: Uint8Array[],
  algorithm: SignatureAlgorithm = defaultAlgorithm(privateKey),
  digest: DigestAlgorithm = 'sha256',
): CmsSigner {
  checkAlgorithmFits(privateKey, algorithm);
  const signer = certificateChain[0];
  if (!signer) throw new CmsError('CMS_BAD_CERTIFICATE', 'The certificate chain is empty.');
  if (!x509(signer).checkPrivateKey(privateKey)) {
    throw new CmsError(
      'CMS_KEY_MISMATCH',
      'The private key does not belong to the first certificate of the chain.',
    );
  }
  const options = signOptions(privateKey, algorithm, digest);
  return {
    certificateChain,
    algorithm,
    digest,
    sign: (data) => Promise.resolve(new Uint8Array(sign(digest, data, options))),
  };
}

/** Checks a signature value with the signer certificate's public key (external signing input). */
export function verifySignatureValue(
  certDer: Uint8Array,
  algorithm: SignatureAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
  digest: DigestAlgorithm = 'sha256',
): boolean {
  const key = x509(certDer).publicKey;
  const options =
    algorithm === 'RSA-PSS'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[digest] }
      : algorithm === 'ECDSA'
        ? { key, dsaEncoding: 'der' as const }
        : { key, padding: constants.RSA_PKCS1_PADDING };
  return verify(digest, data, options, signature);
}

export function privateKeyFromPem(pem: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch (cause) {
    throw new CmsError(
      'CMS_BAD_KEY',
      'The private key cannot be read (expected PEM PKCS#8, PKCS#1 or SEC1).',
      { cause },
    );
  }
}
