import { readDer, seq, tlv } from '../asn1/index.js';
import { assembleSignedData, digestOf, signedAttributes } from '../pki/signed-data.js';
import { CmsError } from './cms-error.js';
import type { CmsSigner } from './signer.js';
import type { TimestampFunction } from '../pki/tsa-client.js';
import type { DigestAlgorithm, SignatureScheme } from '../pki/algorithms.js';

/** A strict shape check: SEQUENCE { INTEGER r, INTEGER s } filling the buffer exactly. */
function isDerEcdsa(sig: Uint8Array): boolean {
  try {
    const el = readDer(sig);
    const parts = el.children();
    return (
      el.tag === 0x30 &&
      el.end === sig.length &&
      parts.length === 2 &&
      parts.every((p) => p.tag === 0x02)
    );
  } catch {
    return false;
  }
}

/** A positive INTEGER from unsigned big-endian bytes: leading zeros dropped, a sign byte added. */
function unsignedInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const value = bytes.subarray(i);
  return value[0]! & 0x80 ? tlv(0x02, Uint8Array.of(0), value) : tlv(0x02, value);
}

/** Signature value formats accepted from external signers; ECDSA raw r||s is converted to DER. */
export function normalizeSignature(algorithm: SignatureScheme, signature: Uint8Array): Uint8Array {
  if (algorithm !== 'ECDSA' || isDerEcdsa(signature)) return signature;
  if (signature.length % 2 !== 0)
    throw new CmsError('CMS_BAD_SIGNATURE', 'A raw ECDSA signature must be r||s of equal halves.');
  const half = signature.length / 2;
  return seq(
    unsignedInteger(signature.subarray(0, half)),
    unsignedInteger(signature.subarray(half)),
  );
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
