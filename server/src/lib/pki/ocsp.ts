import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createHash } from 'node:crypto';
import { badDer } from './errors.js';
import { OID } from './oids.js';
import {
  decodeDer,
  integerHex,
  NULL,
  octets,
  oid,
  seq,
  tlv,
  toArrayBuffer,
  toDer,
  wholeSeconds,
} from '../asn1/index.js';
import { signatureAlgorithmIdentifier, type KeySigner } from './key-signer.js';
import { certFromDer, type Cert } from './x509.js';

export type CertStatus =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: Date; reason?: number }
  | { status: 'unknown' };

export type OcspContext = {
  responder: { certificate: Uint8Array; signer: KeySigner };
  /** The CA whose certificates this responder answers for. */
  issuer: Uint8Array;
  lookup(serialHex: string): Promise<CertStatus>;
  now?: () => Date;
  /** How long relying parties may cache a response (nextUpdate − thisUpdate). Default 1 h. */
  validitySeconds?: number;
  /** Most CertIDs one request may ask about (default OCSP_MAX_CERT_IDS); more → malformedRequest. */
  maxCertIds?: number;
};

/**
 * A validator asks about one certificate, a chain about a few. 800 CertIDs in one request would
 * make the responder do 800 lookups and sign an answer the size of the request list.
 */
export const OCSP_MAX_CERT_IDS = 10;

/** RFC 6960 §4.2.1 OCSPResponseStatus. */
export const OCSP_STATUS = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  unauthorized: 6,
} as const;

const HASHES: Record<string, string> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

function ctxTag(tagNumber: number, value: asn1js.AsnType[]): asn1js.Constructed {
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber }, value });
}

function statusOnly(status: number): Uint8Array {
  return toDer(new asn1js.Sequence({ value: [new asn1js.Enumerated({ value: status })] }));
}

type IssuerHashes = { nameDer: Uint8Array; keyBits: Uint8Array };

function issuerHashes(issuerDer: Uint8Array): IssuerHashes {
  const cert = certFromDer(issuerDer);

  return { nameDer: cert.subjectName.raw, keyBits: cert.publicKeyBits };
}

/** True when the CertID names our issuer (hashes computed with the algorithm the client chose). */
function matchesIssuer(certId: pkijs.CertID, issuer: IssuerHashes): boolean {
  const hash = HASHES[certId.hashAlgorithm.algorithmId];
  if (!hash) return false;
  const nameHash = createHash(hash).update(issuer.nameDer).digest();
  const keyHash = createHash(hash).update(issuer.keyBits).digest();

  return (
    nameHash.equals(certId.issuerNameHash.valueBlock.valueHexView) &&
    keyHash.equals(certId.issuerKeyHash.valueBlock.valueHexView)
  );
}

function certStatusNode(status: CertStatus): asn1js.AsnType {
  if (status.status === 'good')
    return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
  if (status.status === 'unknown')
    return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
  const revokedInfo: asn1js.AsnType[] = [
    new asn1js.GeneralizedTime({ valueDate: wholeSeconds(status.revokedAt) }),
  ];
  if (status.reason !== undefined)
    revokedInfo.push(ctxTag(0, [new asn1js.Enumerated({ value: status.reason })]));

  return ctxTag(1, revokedInfo);
}

function singleResponse(
  certId: pkijs.CertID,
  status: CertStatus,
  now: Date,
  validitySeconds: number,
) {
  const nextUpdate = new Date(now.getTime() + validitySeconds * 1000);

  return new asn1js.Sequence({
    value: [
      certId.toSchema(),
      certStatusNode(status),
      new asn1js.GeneralizedTime({ valueDate: now }),
      ctxTag(0, [new asn1js.GeneralizedTime({ valueDate: nextUpdate })]),
    ],
  });
}

async function statusFor(
  certId: pkijs.CertID,
  ctx: OcspContext,
  issuer: IssuerHashes,
): Promise<CertStatus> {
  if (!matchesIssuer(certId, issuer)) return { status: 'unknown' };

  return ctx.lookup(integerHex(certId.serialNumber));
}

function responderKeyHash(responderDer: Uint8Array): Uint8Array {
  return createHash('sha1').update(certFromDer(responderDer).publicKeyBits).digest();
}

function nonceExtension(request: pkijs.OCSPRequest): pkijs.Extension | undefined {
  return request.tbsRequest.requestExtensions?.find((ext) => ext.extnID === OID.ocspNonce);
}

async function signedResponse(request: pkijs.OCSPRequest, ctx: OcspContext): Promise<Uint8Array> {
  const now = wholeSeconds(ctx.now?.() ?? new Date());
  const issuer = issuerHashes(ctx.issuer);
  const validity = ctx.validitySeconds ?? 3600;
  const singles: asn1js.Sequence[] = [];
  for (const req of request.tbsRequest.requestList) {
    singles.push(
      singleResponse(req.reqCert, await statusFor(req.reqCert, ctx, issuer), now, validity),
    );
  }
  const keyHash = new asn1js.OctetString({
    valueHex: toArrayBuffer(responderKeyHash(ctx.responder.certificate)),
  });
  const responseData: asn1js.AsnType[] = [
    ctxTag(2, [keyHash]),
    new asn1js.GeneralizedTime({ valueDate: now }),
    new asn1js.Sequence({ value: singles }),
  ];
  const nonce = nonceExtension(request);
  // The nonce binds this answer to the client's request (RFC 8954); echo it byte for byte.
  if (nonce) responseData.push(ctxTag(1, [new asn1js.Sequence({ value: [nonce.toSchema()] })]));
  const tbs = toDer(new asn1js.Sequence({ value: responseData }));
  const signature = await ctx.responder.signer.sign(tbs);
  const basic = tlv(
    0x30,
    tbs,
    toDer(signatureAlgorithmIdentifier(ctx.responder.signer.algorithm).toSchema()),
    toDer(new asn1js.BitString({ valueHex: toArrayBuffer(signature) })),
    tlv(0xa0, tlv(0x30, ctx.responder.certificate)),
  );
  const responseBytes = tlv(
    0x30,
    toDer(new asn1js.ObjectIdentifier({ value: OID.ocspBasic })),
    tlv(0x04, basic),
  );

  return tlv(
    0x30,
    toDer(new asn1js.Enumerated({ value: OCSP_STATUS.successful })),
    tlv(0xa0, responseBytes),
  );
}

function parseRequest(requestDer: Uint8Array, maxCertIds: number): pkijs.OCSPRequest | undefined {
  try {
    const request = new pkijs.OCSPRequest({
      schema: decodeDer(requestDer, 'OCSP request', badDer),
    });
    const count = request.tbsRequest.requestList.length;

    return count > 0 && count <= maxCertIds ? request : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 6960 responder as a pure function: request bytes in, OCSPResponse bytes out. Never
 * throws: unparsable input or more than `maxCertIds` CertIDs gives malformedRequest (before any
 * lookup), a failing lookup or signer internalError.
 */
export async function answerOcsp(requestDer: Uint8Array, ctx: OcspContext): Promise<Uint8Array> {
  const request = parseRequest(requestDer, ctx.maxCertIds ?? OCSP_MAX_CERT_IDS);
  if (!request) return statusOnly(OCSP_STATUS.malformedRequest);
  try {
    return await signedResponse(request, ctx);
  } catch {
    return statusOnly(OCSP_STATUS.internalError);
  }
}

/**
 * The request bytes of an RFC 6960 §A.1 GET: the path segment after `/pki/ocsp/`, URL-encoded
 * base64 of the DER request. Returns empty bytes for undecodable text so answerOcsp answers
 * malformedRequest.
 */
export function ocspRequestFromGetPath(encoded: string): Uint8Array {
  let text: string;
  try {
    text = decodeURIComponent(encoded);
  } catch {
    return new Uint8Array();
  }
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return new Uint8Array();

  return new Uint8Array(
    Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64'),
  );
}

/** DER OCSPRequest (RFC 6960) for one certificate, CertID hashed with SHA-1 as clients do. */
export function ocspRequest(cert: Cert, issuer: Cert): Uint8Array {
  const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest();
  const certId = seq(
    seq(oid(OID.sha1), NULL),
    octets(sha1(issuer.subjectName.raw)),
    octets(sha1(issuer.publicKeyBits)),
    cert.serialDer,
  );
  // OCSPRequest { TBSRequest { requestList { Request { reqCert } } } }
  return seq(seq(seq(seq(certId))));
}
