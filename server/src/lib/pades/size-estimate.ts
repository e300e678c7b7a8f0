import { x509 } from '../cms/certificate.js';

/** Room for everything in a CMS besides certificates and signature: attributes, OIDs, headers. */
const STRUCTURE_BYTES = 600;
const MARGIN_BYTES = 512;
/** A TSA token carries its own signature, TSTInfo and usually the TSA's certificate chain. */
const TOKEN_WITHOUT_CERTS = 1200;
const TYPICAL_TSA_CHAIN = 3 * 1400;

const sizes = new WeakMap<Uint8Array, number>();

export function signatureSize(certDer: Uint8Array): number {
  let size = sizes.get(certDer);
  if (size === undefined) {
    size = parseSignatureSize(certDer);
    sizes.set(certDer, size);
  }
  return size;
}

function parseSignatureSize(certDer: Uint8Array): number {
  const details = x509(certDer).publicKey.asymmetricKeyDetails;
  if (details?.modulusLength) return Math.ceil(details.modulusLength / 8);
  return 2 * 66 + 9; // ECDSA DER up to P-521
}

/**
 * Bytes to reserve in /Contents: real certificate sizes + signature size + the issuer name
 * repeated in the attributes + a time-stamp token estimate when a TSA is used, + margin.
 * If the real CMS turns out bigger, the signer retries with the real size.
 */
export function estimateCmsSize(chain: Uint8Array[], withTimestamp: boolean): number {
  const certs = chain.reduce((n, c) => n + c.length, 0);
  const signer = chain[0];
  const signature = signer ? signatureSize(signer) : 512;
  const issuerEcho = signer ? 2 * 200 : 0;
  const token = withTimestamp ? TOKEN_WITHOUT_CERTS + TYPICAL_TSA_CHAIN : 0;
  return certs + signature + issuerEcho + STRUCTURE_BYTES + token + MARGIN_BYTES;
}

export function retrySize(actual: number): number {
  return actual + MARGIN_BYTES;
}
