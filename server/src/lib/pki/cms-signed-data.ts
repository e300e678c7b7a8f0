import * as asn1js from 'asn1js';
import { createHash } from 'node:crypto';
import { OID } from './oids.js';
import { decodeDer, derSetOf, encodeDer, tlv, toArrayBuffer } from './der.js';
import {
  hashAlgorithmIdentifier,
  signatureAlgorithmIdentifier,
  type KeySigner,
} from './key-signer.js';
import { certificateFacts } from './certificate.js';

function attribute(type: string, value: asn1js.AsnType): asn1js.Sequence {
  return new asn1js.Sequence({
    value: [new asn1js.ObjectIdentifier({ value: type }), new asn1js.Set({ value: [value] })],
  });
}

function directoryName(nameDer: Uint8Array): asn1js.Constructed {
  return new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 4 },
    value: [decodeDer(nameDer, 'name')],
  });
}

/** ESS signing-certificate-v2 (RFC 5035): binds the signature to the signer certificate. */
function signingCertificateV2(certDer: Uint8Array): asn1js.Sequence {
  const cert = certificateFacts(certDer);
  const issuerSerial = new asn1js.Sequence({
    value: [new asn1js.Sequence({ value: [directoryName(cert.issuerDer)] }), cert.serialNumber],
  });
  // hashAlgorithm is omitted: its DEFAULT is SHA-256 and DER forbids writing a default.
  const essCertId = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toArrayBuffer(cert.sha256) }), issuerSerial],
  });

  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertId] })] });
}

export type SignedDataRequest = {
  contentType: string;
  content: Uint8Array;
  signer: KeySigner;
  signerCertificate: Uint8Array;
  /** Certificates to embed (signer first); empty to embed none. */
  certificates: readonly Uint8Array[];
};

/**
 * CMS SignedData (RFC 5652) with encapsulated content, one SignerInfo identified by issuer and
 * serial, and signed attributes content-type, message-digest and signing-certificate-v2.
 * Used for RFC 3161 tokens; the PAdES engine has its own detached variant.
 */
export async function buildSignedData(request: SignedDataRequest): Promise<Uint8Array> {
  const { signer } = request;
  const digest = createHash(signer.algorithm.hash).update(request.content).digest();
  // Sorted as DER: OpenSSL re-encodes signed attributes before verifying.
  const signedAttrs = derSetOf([
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: request.contentType })),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })),
    attribute(OID.signingCertificateV2, signingCertificateV2(request.signerCertificate)),
  ]);
  const signature = await signer.sign(encodeDer(signedAttrs));
  const cert = certificateFacts(request.signerCertificate);
  const signerInfo = new asn1js.Sequence({
    value: [
      new asn1js.Integer({ value: 1 }),
      new asn1js.Sequence({ value: [decodeDer(cert.issuerDer, 'issuer'), cert.serialNumber] }),
      hashAlgorithmIdentifier(signer.algorithm.hash).toSchema(),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: signedAttrs.valueBlock.value,
      }),
      signatureAlgorithmIdentifier(signer.algorithm).toSchema(),
      new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
    ],
  });
  const encapContentInfo = new asn1js.Sequence({
    value: [
      new asn1js.ObjectIdentifier({ value: request.contentType }),
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: [new asn1js.OctetString({ valueHex: toArrayBuffer(request.content) })],
      }),
    ],
  });
  const parts: Uint8Array[] = [
    encodeDer(new asn1js.Integer({ value: 3 })),
    encodeDer(
      new asn1js.Set({ value: [hashAlgorithmIdentifier(signer.algorithm.hash).toSchema()] }),
    ),
    encodeDer(encapContentInfo),
  ];
  // certificates [0] IMPLICIT SET OF: spliced as raw DER, never re-parsed.
  if (request.certificates.length > 0) parts.push(tlv(0xa0, ...request.certificates));
  parts.push(tlv(0x31, encodeDer(signerInfo)));

  return tlv(
    0x30,
    encodeDer(new asn1js.ObjectIdentifier({ value: OID.signedData })),
    tlv(0xa0, tlv(0x30, ...parts)),
  );
}
