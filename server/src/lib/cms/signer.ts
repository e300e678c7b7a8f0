import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { CmsError } from './cms-error.js';
import { x509 } from './certificate.js';
import type { DigestAlgorithm, SignatureScheme } from '../pki/algorithms.js';
import { createKeySigner, verifySignature, type KeySigner } from '../pki/key-signer.js';

/**
 * Whoever holds the key — a local KeyObject, an HSM, or a person's token through external
 * signing — with the certificates that go into the CMS. `sign` receives the DER signed
 * attributes.
 */
export type CmsSigner = KeySigner & {
  /** DER certificates, signer first. */
  certificateChain: Uint8Array[];
};

/** The algorithm a key can do by default: ECDSA for EC keys, RSASSA-PSS for RSA (Thông tư 15/2025). */
export function defaultAlgorithm(key: KeyObject | X509Certificate): SignatureScheme {
  const type = 'publicKey' in key ? key.publicKey.asymmetricKeyType : key.asymmetricKeyType;
  if (type === 'ec') return 'ECDSA';
  if (type === 'rsa' || type === 'rsa-pss') return 'RSA-PSS';
  throw new CmsError(
    'CMS_UNSUPPORTED_KEY',
    `Keys of type ${type ?? 'unknown'} are not supported (use RSA or ECDSA P-256).`,
  );
}

/** A signer that uses Node's native crypto on a private key held in this process. */
export function keySigner(
  privateKey: KeyObject,
  certificateChain: Uint8Array[],
  scheme: SignatureScheme = defaultAlgorithm(privateKey),
  hash: DigestAlgorithm = 'sha256',
): CmsSigner {
  if ((privateKey.asymmetricKeyType === 'ec') !== (scheme === 'ECDSA')) {
    throw new CmsError(
      'CMS_KEY_MISMATCH',
      `Algorithm ${scheme} does not fit a ${privateKey.asymmetricKeyType ?? '?'} key.`,
    );
  }
  const signer = certificateChain[0];
  if (!signer) throw new CmsError('CMS_BAD_CERTIFICATE', 'The certificate chain is empty.');
  if (!x509(signer).checkPrivateKey(privateKey)) {
    throw new CmsError(
      'CMS_KEY_MISMATCH',
      'The private key does not belong to the first certificate of the chain.',
    );
  }
  return { ...createKeySigner(privateKey, { scheme, hash }), certificateChain };
}

/** Checks a signature value with the signer certificate's public key (external signing input). */
export function verifySignatureValue(
  certDer: Uint8Array,
  scheme: SignatureScheme,
  data: Uint8Array,
  signature: Uint8Array,
  hash: DigestAlgorithm = 'sha256',
): boolean {
  return verifySignature(x509(certDer).publicKey, { scheme, hash }, data, signature);
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
