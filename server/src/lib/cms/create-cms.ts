import { assembleSignedData, digestOf, signedAttributes } from './signed-data.js';
import { CmsError } from './cms-error.js';
import type { CmsSigner } from './signer.js';
import type { TimestampFunction } from '../pki/tsa-client.js';
import type { DigestAlgorithm, SignatureScheme } from '../pki/algorithms.js';

/** A strict shape check: SEQUENCE { INTEGER r, INTEGER s } filling the buffer exactly. */
function isDerEcdsa(sig: Uint8Array): boolean {
  if (sig[0] !== 0x30 || sig.length < 8) return false;
  const longForm = sig[1] === 0x81;
  const bodyStart = longForm ? 3 : 2;
  const bodyLength = longForm ? sig[2]! : sig[1]!;
  if (bodyStart + bodyLength !== sig.length || sig[bodyStart] !== 0x02) return false;
  const rEnd = bodyStart + 2 + sig[bodyStart + 1]!;
  return sig[rEnd] === 0x02 && rEnd + 2 + sig[rEnd + 1]! === sig.length;
}

/** Signature value formats accepted from external signers; ECDSA raw r||s is converted to DER. */
export function normalizeSignature(algorithm: SignatureScheme, signature: Uint8Array): Uint8Array {
  if (algorithm !== 'ECDSA' || isDerEcdsa(signature)) return signature;
  if (signature.length % 2 !== 0)
    throw new CmsError('CMS_BAD_SIGNATURE', 'A raw ECDSA signature must be r||s of equal halves.');
  const half = signature.length / 2;
  const integer = (bytes: Uint8Array): Buffer => {
    let i = 0;
    while (i < bytes.length - 1 && bytes[i] === 0) i++;
    const trimmed = Buffer.from(bytes.subarray(i));
    const body = trimmed[0]! & 0x80 ? Buffer.concat([Buffer.of(0), trimmed]) : trimmed;
    return Buffer.concat([Buffer.of(0x02, body.length), body]);
  };
  const r = integer(signature.subarray(0, half));
  const s = integer(signature.subarray(half));
  const len = r.length + s.length;
  const head = len < 0x80 ? Buffer.of(0x30, len) : Buffer.of(0x30, 0x81, len);
  return new Uint8Array(Buffer.concat([head, r, s]));
}

/** Builds a complete CMS from a signature value, adding the signature time-stamp if asked. */
export async function completeCms(p: {
  signedAttrs: Uint8Array;
  signature: Uint8Array;
  certificateChain: Uint8Array[];
  algorithm: SignatureScheme;
  digest?: DigestAlgorithm;
  timestamp?: TimestampFunction;
}): Promise<Uint8Array> {
  const signatureTimeStamp = p.timestamp
    ? await p.timestamp(digestOf(p.signature, 'sha256'), 'sha256')
    : undefined;
  return assembleSignedData({
    signedAttrs: p.signedAttrs,
    signature: p.signature,
    certificateChain: p.certificateChain,
    algorithm: { scheme: p.algorithm, hash: p.digest ?? 'sha256' },
    ...(signatureTimeStamp ? { signatureTimeStamp } : {}),
  });
}

/** Detached CAdES signature over a document digest, signed by `signer`. */
export async function createCms(
  documentDigest: Uint8Array,
  signer: CmsSigner,
  timestamp?: TimestampFunction,
): Promise<Uint8Array> {
  const { scheme, hash } = signer.algorithm;
  const signedAttrs = signedAttributes(
    documentDigest,
    signer.certificateChain[0] ?? new Uint8Array(),
    hash,
  );
  const signature = await signer.sign(signedAttrs);
  return completeCms({
    signedAttrs,
    signature,
    certificateChain: signer.certificateChain,
    algorithm: scheme,
    digest: hash,
    ...(timestamp ? { timestamp } : {}),
  });
}

export { digestOf };
