/**
 * CMS SignedData reading and cryptographic checks of one SignerInfo: message-digest over the
 * signed content, signature value over the DER of the signed attributes, ESS signing-certificate
 * binding and signer-certificate identification (issuerAndSerialNumber or subjectKeyIdentifier).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  digestName,
  hashChunks,
  signatureScheme,
  verifySignature,
  type SignatureScheme,
} from './algorithms.js';
import { Cert } from './certificates.js';

export const OID = {
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
  revocationArchival: '1.2.840.113583.1.1.8',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
} as const;

export interface ParsedCms {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  certificates: Cert[];
  crls: Uint8Array[];
}

export class CmsFormatError extends Error {}

/** Length of the outer DER TLV so that /Contents zero padding is ignored. */
function trimDer(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0x30 || bytes.length < 2) return bytes;
  const first = bytes[1] ?? 0;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const n = first & 0x7f;
  if (n === 0) return bytes;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (bytes[2 + i] ?? 0);
  return bytes.subarray(0, Math.min(bytes.length, 2 + n + len));
}

function toBytes(view: ArrayBuffer | Uint8Array): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view);
}

/** The bytes as they were in the input, so that nothing is re-encoded differently. */
export function rawBytes(block: asn1js.AsnType): Uint8Array {
  const raw = (block as { valueBeforeDecodeView?: Uint8Array }).valueBeforeDecodeView;
  return raw && raw.byteLength > 0 ? new Uint8Array(raw) : toBytes(block.toBER(false));
}

export function parseCms(der: Uint8Array): ParsedCms {
  const trimmed = trimDer(der);
  const asn1 = asn1js.fromBER(trimmed);
  if (asn1.offset === -1) throw new CmsFormatError('not DER/BER');
  let signedData: pkijs.SignedData;
  try {
    const ci = new pkijs.ContentInfo({ schema: asn1.result });
    if (ci.contentType !== OID.signedData)
      throw new CmsFormatError(`content type ${ci.contentType} is not SignedData`);
    signedData = new pkijs.SignedData({ schema: ci.content });
  } catch (e) {
    throw e instanceof CmsFormatError ? e : new CmsFormatError((e as Error).message);
  }
  const signerInfo = signedData.signerInfos[0];
  if (!signerInfo) throw new CmsFormatError('no SignerInfo');
  if (signedData.signerInfos.length > 1) throw new CmsFormatError('more than one SignerInfo');
  const certificates: Cert[] = [];
  for (const c of signedData.certificates ?? []) {
    if (c instanceof pkijs.Certificate) {
      try {
        certificates.push(new Cert(toBytes(c.toSchema().toBER(false))));
      } catch {
        // an unparsable extra certificate does not invalidate the signature by itself
      }
    }
  }
  const crls = (signedData.crls ?? [])
    .filter((c) => c instanceof pkijs.CertificateRevocationList)
    .map((c) => toBytes((c as pkijs.CertificateRevocationList).toSchema().toBER(false)));
  return { signedData, signerInfo, certificates, crls };
}

export function attribute(
  attrs: pkijs.SignedAndUnsignedAttributes | undefined,
  oid: string,
): asn1js.AsnType | undefined {
  return attrs?.attributes.find((a) => a.type === oid)?.values[0];
}

export function findSignerCert(parsed: ParsedCms, extra: Cert[] = []): Cert | null {
  const sid = parsed.signerInfo.sid as pkijs.IssuerAndSerialNumber | asn1js.Primitive;
  const candidates = [...parsed.certificates, ...extra];
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return (
      candidates.find(
        (c) => c.pki.issuer.isEqual(sid.issuer) && c.pki.serialNumber.isEqual(sid.serialNumber),
      ) ?? null
    );
  }
  const ski = Buffer.from(sid.valueBlock.valueHexView).toString('hex');
  return candidates.find((c) => c.subjectKeyId === ski) ?? null;
}

export interface SignerCheck {
  digestAlgorithm: string;
  scheme: SignatureScheme;
  /** null when there is no message-digest attribute. */
  digestOk: boolean | null;
  signatureOk: boolean;
  /** null when no ESS attribute is present. */
  essOk: boolean | null;
  essVersion: 1 | 2 | null;
  hasSigningTime: boolean;
}

function essBinding(
  signerInfo: pkijs.SignerInfo,
  cert: Cert,
): { ok: boolean | null; version: 1 | 2 | null } {
  const v2 = attribute(signerInfo.signedAttrs, OID.signingCertificateV2);
  const v1 = attribute(signerInfo.signedAttrs, OID.signingCertificate);
  const attr = v2 ?? v1;
  if (!attr) return { ok: null, version: null };
  const version = v2 ? 2 : 1;
  try {
    const certs = (attr as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let hashAlg = version === 2 ? 'sha256' : 'sha1';
    let idx = 0;
    if (version === 2 && parts[0] instanceof asn1js.Sequence) {
      hashAlg = digestName(new pkijs.AlgorithmIdentifier({ schema: parts[0] }).algorithmId);
      idx = 1;
    }
    const certHash = Buffer.from((parts[idx] as asn1js.OctetString).valueBlock.valueHexView);
    return { ok: certHash.equals(hashChunks(hashAlg, [cert.der])), version };
  } catch {
    return { ok: false, version };
  }
}

/** Checks one SignerInfo against the content (as chunks) and the signer certificate. */
export function checkSigner(parsed: ParsedCms, content: Uint8Array[], cert: Cert): SignerCheck {
  const si = parsed.signerInfo;
  const digestAlgorithm = digestName(si.digestAlgorithm.algorithmId);
  const scheme = signatureScheme(si.signatureAlgorithm, si.digestAlgorithm.algorithmId);
  const signature = si.signature.valueBlock.valueHexView;
  const digest = hashChunks(digestAlgorithm, content);
  if (!si.signedAttrs) {
    // Without signed attributes the signature is over the content itself.
    const data = Buffer.concat(content);
    return {
      digestAlgorithm,
      scheme,
      digestOk: null,
      signatureOk: verifySignature(scheme, data, cert.publicKey, signature),
      essOk: null,
      essVersion: null,
      hasSigningTime: false,
    };
  }
  const md = attribute(si.signedAttrs, OID.messageDigest) as asn1js.OctetString | undefined;
  const digestOk = md ? Buffer.from(md.valueBlock.valueHexView).equals(digest) : null;
  const signedAttrs = new Uint8Array(si.signedAttrs.encodedValue);
  const signatureOk = verifySignature(scheme, signedAttrs, cert.publicKey, signature);
  const ess = essBinding(si, cert);
  const hasSigningTime = attribute(si.signedAttrs, OID.signingTime) !== undefined;
  return {
    digestAlgorithm,
    scheme,
    digestOk,
    signatureOk,
    essOk: ess.ok,
    essVersion: ess.version,
    hasSigningTime,
  };
}

/** Unsigned attribute: the signature time-stamp token (DER ContentInfo), if any. */
export function signatureTimestampToken(parsed: ParsedCms): Uint8Array | null {
  const v = attribute(parsed.signerInfo.unsignedAttrs, OID.signatureTimeStamp);
  return v ? rawBytes(v) : null;
}

/** adbe-revocationInfoArchival (signed attribute): CRLs [0] and OCSP responses [1]. */
export function archivedRevocation(parsed: ParsedCms): { crls: Uint8Array[]; ocsps: Uint8Array[] } {
  const out = { crls: [...parsed.crls], ocsps: [] as Uint8Array[] };
  const v = attribute(parsed.signerInfo.signedAttrs, OID.revocationArchival);
  if (!(v instanceof asn1js.Sequence)) return out;
  for (const tagged of v.valueBlock.value) {
    const tag = tagged.idBlock.tagNumber;
    const inner = (tagged as asn1js.Constructed).valueBlock.value[0];
    if (!(inner instanceof asn1js.Sequence)) continue;
    for (const item of inner.valueBlock.value) {
      const der = rawBytes(item);
      if (tag === 0) out.crls.push(der);
      else if (tag === 1) out.ocsps.push(der);
    }
  }
  return out;
}
