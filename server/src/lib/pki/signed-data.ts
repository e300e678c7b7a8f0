import { createHash } from 'node:crypto';
import { OID } from '../asn1/oids.js';
import { ctx, derSetOf, implicit, int, octets, oid, seq, set, tlv } from '../asn1/index.js';
import {
  DIGEST_LENGTH,
  digestAlgorithmId,
  signatureAlgorithmId,
  type DigestAlgorithm,
  type SignatureAlgorithm,
} from './algorithms.js';
import { PkiError } from './errors.js';
import { certFromDer } from './x509.js';

/*
 * CMS SignedData (RFC 5652) as both PAdES signatures (detached) and RFC 3161 tokens
 * (encapsulated TSTInfo) need it. Its error codes keep the CMS_ prefix PAdES callers know.
 */

/** Issuer and serial number of a certificate, byte-exact from its DER. */
function issuerAndSerial(der: Uint8Array): { issuer: Uint8Array; serial: Uint8Array } {
  try {
    const cert = certFromDer(der);
    return { issuer: cert.issuerName.raw, serial: cert.serialDer };
  } catch (cause) {
    throw new PkiError(
      'CMS_BAD_CERTIFICATE',
      'The certificate lacks a serial number or an issuer name.',
      { cause },
    );
  }
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return seq(oid(type), set(value));
}

/** SigningCertificateV2 with one ESSCertIDv2 (SHA-256 is the DEFAULT hash, so it is omitted). */
function signingCertificateV2(certDer: Uint8Array): Uint8Array {
  const { issuer, serial } = issuerAndSerial(certDer);
  const issuerSerial = seq(seq(tlv(0xa4, issuer)), serial);
  return seq(seq(seq(octets(digestOf(certDer)), issuerSerial)));
}

/**
 * DER of the signed attributes as a SET OF (tag 0x31): this is what gets signed (RFC 5652 §5.4).
 * PAdES baseline: content-type, message-digest, signing-certificate-v2, and no signing-time.
 * Sorted as DER: OpenSSL re-encodes signed attributes before verifying.
 */
export function signedAttributes(
  contentDigest: Uint8Array,
  signerCert: Uint8Array,
  digest: DigestAlgorithm = 'sha256',
  contentType: string = OID.data,
): Uint8Array {
  if (contentDigest.length !== DIGEST_LENGTH[digest]) {
    throw new PkiError(
      'CMS_BAD_DIGEST',
      `The document digest must be ${DIGEST_LENGTH[digest]} bytes for ${digest}.`,
    );
  }
  return derSetOf([
    attribute(OID.contentType, oid(contentType)),
    attribute(OID.messageDigest, octets(contentDigest)),
    attribute(OID.signingCertificateV2, signingCertificateV2(signerCert)),
  ]);
}

export type SignedDataParts = {
  signedAttrs: Uint8Array;
  signature: Uint8Array;
  /** Certificates to embed, signer first; empty to embed none. */
  certificateChain: Uint8Array[];
  /** Defaults to the first certificate of the chain. */
  signerCertificate?: Uint8Array;
  algorithm: SignatureAlgorithm;
  /** Encapsulated content (RFC 3161 TSTInfo); absent for a detached id-data signature. */
  content?: { type: string; value: Uint8Array };
  /** DER of a TimeStampToken (ContentInfo) over `signature`, stored as id-aa-signatureTimeStampToken. */
  signatureTimeStamp?: Uint8Array;
};

function signerInfo(p: SignedDataParts): Uint8Array {
  const signer = p.signerCertificate ?? p.certificateChain[0];
  if (!signer) throw new PkiError('CMS_BAD_CERTIFICATE', 'The certificate chain is empty.');
  const { issuer, serial } = issuerAndSerial(signer);
  const parts = [
    int(1),
    seq(issuer, serial),
    digestAlgorithmId(p.algorithm.hash),
    implicit(0, p.signedAttrs),
    signatureAlgorithmId(p.algorithm),
    octets(p.signature),
  ];
  if (p.signatureTimeStamp) {
    parts.push(
      implicit(1, derSetOf([attribute(OID.signatureTimeStampToken, p.signatureTimeStamp)])),
    );
  }
  return seq(...parts);
}

/**
 * ContentInfo(SignedData) with exactly one SignerInfo identified by issuer and serial:
 * detached id-data for PAdES, or with encapsulated content for RFC 3161 tokens.
 */
export function assembleSignedData(p: SignedDataParts): Uint8Array {
  const encapsulated = p.content
    ? seq(oid(p.content.type), ctx(0, octets(p.content.value)))
    : seq(oid(OID.data));
  const signedData = seq(
    // RFC 5652 §5.1: version 3 when the content is not id-data
    int(p.content && p.content.type !== OID.data ? 3 : 1),
    set(digestAlgorithmId(p.algorithm.hash)),
    encapsulated,
    // certificates [0] IMPLICIT SET OF: spliced as raw DER, never re-parsed.
    ...(p.certificateChain.length > 0 ? [ctx(0, ...p.certificateChain)] : []),
    set(signerInfo(p)),
  );
  return seq(oid(OID.signedData), ctx(0, signedData));
}

export function digestOf(data: Uint8Array, digest: DigestAlgorithm = 'sha256'): Buffer {
  return createHash(digest).update(data).digest();
}
