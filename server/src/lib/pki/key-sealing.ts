import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { PkiError } from './errors.js';

export type SealedKey = { iv: Uint8Array; tag: Uint8Array; ciphertext: Uint8Array };

/** Domain separation: a sealed key cannot be replayed as another kind of sealed blob. */
const AAD = Buffer.from('lienthong/pkcs8/v1');

function assertMasterKey(masterKey: Uint8Array): void {
  if (masterKey.byteLength !== 32) {
    throw new PkiError(
      'PKI_BAD_MASTER_KEY',
      `The master key must be 32 bytes (AES-256), got ${masterKey.byteLength}.`,
    );
  }
}

/** Encrypt a PKCS#8 DER private key at rest with AES-256-GCM under the hub's master key. */
export function sealPrivateKey(pkcs8Der: Uint8Array, masterKey: Uint8Array): SealedKey {
  assertMasterKey(masterKey);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', masterKey, iv).setAAD(AAD);
  const ciphertext = Buffer.concat([cipher.update(pkcs8Der), cipher.final()]);

  return {
    iv: new Uint8Array(iv),
    tag: new Uint8Array(cipher.getAuthTag()),
    ciphertext: new Uint8Array(ciphertext),
  };
}

/** Inverse of sealPrivateKey; any tampering or a wrong master key gives PKI_KEY_UNSEAL_FAILED. */
export function openPrivateKey(sealed: SealedKey, masterKey: Uint8Array): Uint8Array {
  assertMasterKey(masterKey);
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey, sealed.iv).setAAD(AAD);
    decipher.setAuthTag(sealed.tag);

    return new Uint8Array(Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]));
  } catch (error) {
    throw new PkiError(
      'PKI_KEY_UNSEAL_FAILED',
      'The sealed private key failed authentication: wrong master key or the stored bytes were altered.',
      { cause: error },
    );
  }
}
