import { createHash } from 'node:crypto';
import { digestAlgorithmId, signatureAlgorithmId } from './algorithms.js';
import { certificateHash, certificateParts } from './certificate.js';
import { CmsError } from './cms-error.js';
import { ctx, derSetOf, int, octets, oid, seq, set, tlv } from './der.js';
import { DIGEST_LENGTH, OID, type DigestAlgorithm, type SignatureAlgorithm } from './oids.js';

function attribute(type: string, value: Uint8Array): Uint8Array {
  return seq(oid(type), set(value));
}

/** SigningCertificateV2 with one ESSCertIDv2 (SHA-256 is the DEFAULT hash, so it is omitted). */
function signingCertificateV2(certDer: Uint8Array): Uint8Array {
  const { issuer, serial } = certificateParts(certDer);
  const issuerSerial = seq(seq(tlv(0xa4, issuer)), serial);
  return seq(seq(seq(octets(certificateHash(certDer)), issuerSerial)));
}

/**
 * DER of the signed attributes as a SET OF (tag 0x31): this is what gets signed (RFC 5652 §5.4).
 * PAdES baseline: content-type, message-digest, signing-certificate-v2, and no signing-time.
 */
export function signedAttributes(
  documentDigest: Uint8Array,
  signerCert: Uint8Array,
  digest: DigestAlgorithm = 'sha256',
): Uint8Array {
  if (documentDigest.length !== DIGEST_LENGTH[digest]) {
    throw new CmsError(
      'CMS_BAD_DIGEST',
      `The document digest must be ${DIGEST_LENGTH[digest]} bytes for ${digest}.`,
    );
  }
  return derSetOf([
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(documentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(signerCert)),
  ]);
}

export type SignedDataParts = {
  signedAttrs: Uint8Array;
  signature: Uint8Array;
  certificateChain: Uint8Array[];
  algorithm: SignatureAlgorithm;
  digest?: DigestAlgorithm;
  /** DER of a TimeStampToken (ContentInfo) over `signature`, stored as id-aa-signatureTimeStampToken. */
  signatureTimeStamp?: Uint8Array;
};

/** Re-tags an encoded SET OF as [tag] IMPLICIT. */
function implicit(tag: number, setDer: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(setDer);
  copy[0] = 0xa0 | tag;
  return copy;
}

function signerInfo(p: SignedDataParts, digest: DigestAlgorithm): Uint8Array {
  const signer = p.certificateChain[0];
  if (!signer) throw new CmsError('CMS_BAD_CERTIFICATE', 'The certificate chain is empty.');
  const { issuer, serial } = certificateParts(signer);
  const parts = [
    int(1),
    seq(issuer, serial),
    digestAlgorithmId(digest),
    implicit(0, p.signedAttrs),
    signatureAlgorithmId(p.algorithm, digest),
    octets(p.signature),
  ];
  if (p.signatureTimeStamp) {
    parts.push(
      implicit(1, derSetOf([attribute(OID.signatureTimeStampToken, p.signatureTimeStamp)])),
    );
  }
  return seq(...parts);
}

/** ContentInfo(SignedData), detached id-data, exactly one SignerInfo, certificates = the chain. */
export function assembleSignedData(p: SignedDataParts): Uint8Array {
  const digest = p.digest ?? 'sha256';
  const signedData = seq(
    int(1),
    set(digestAlgorithmId(digest)),
    seq(oid(OID.data)),
    ctx(0, ...p.certificateChain),
    set(signerInfo(p, digest)),
  );
  return seq(oid(OID.signedData), ctx(0, signedData));
}

export function digestOf(data: Uint8Array, digest: DigestAlgorithm = 'sha256'): Buffer {
  return createHash(digest).update(data).digest();
}
