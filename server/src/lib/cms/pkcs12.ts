import type { DigestAlgorithm, SignatureScheme } from '../pki/algorithms.js';
import { readPkcs12 } from '../pki/pkcs12.js';
import { keySigner, type CmsSigner } from './signer.js';

export function signerFromPkcs12(
  p12: Uint8Array,
  password: string,
  scheme?: SignatureScheme,
  digest?: DigestAlgorithm,
): CmsSigner {
  const { privateKey, certificateChain } = readPkcs12(p12, password);
  return keySigner(privateKey, certificateChain, scheme, digest);
}
