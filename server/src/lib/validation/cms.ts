/**
 * CMS SignedData reading and cryptographic checks of one SignerInfo: message-digest over the
 * signed content, signature value over the DER of the signed attributes, ESS signing-certificate
 * binding and signer-certificate identification (issuerAndSerialNumber or subjectKeyIdentifier).
 * Everything is read in place with the DER reader: the signed attributes are verified over their
 * original bytes re-tagged as SET (0x31), never over a re-encoding.
 */
import {
  digestName,
  hashChunks,
  signatureScheme,
  verifyWithScheme,
  type ReadScheme,
} from '../pki/algorithms.js';
import { OID } from '../asn1/oids.js';
import { Cert, certFromDer, sameName } from '../pki/x509.js';
import { Der, DerError, algId, hex, readDer, sameBytes, type AlgId } from '../asn1/index.js';

export type SignerId = { issuer: Der; serial: Uint8Array } | { ski: string };

export interface SignerInfo {
  sid: SignerId;
  digestAlgorithm: string;
  /** The [0] IMPLICIT element as found in the input, null when absent. */
  signedAttrs: Der | null;
  signatureAlgorithm: AlgId;
  signature: Uint8Array;
  unsignedAttrs: Der | null;
}

export interface ParsedCms {
  /** The first SignerInfo: the signature the report describes (chain, time-stamp, level). */
  signerInfo: SignerInfo;
  /** Every SignerInfo, the first included; each one must verify. */
  signerInfos: SignerInfo[];
  certificates: Cert[];
  crls: Uint8Array[];
  eContentType: string;
  eContent: Uint8Array | null;
}

export class CmsFormatError extends Error {}

function parseSignerInfo(si: Der): SignerInfo {
  const f = si.expect(0x30, 'SignerInfo').children();
  let i = 1;
  const next = (): Der => {
    const el = f[i++];
    if (!el) throw new CmsFormatError('truncated SignerInfo');
    return el;
  };
  const sidEl = next();
  const sid: SignerId = sidEl.isContext(0)
    ? { ski: hex(sidEl.octets()) }
    : { issuer: sidEl.at(0), serial: sidEl.at(1).value };
  const digestAlgorithm = algId(next()).oid;
  let signedAttrs: Der | null = null;
  let el = next();
  if (el.isContext(0)) {
    signedAttrs = el;
    el = next();
  }
  const signatureAlgorithm = algId(el);
  const signature = next().expect(0x04, 'signature').octets();
  const rest = f[i];
  return {
    sid,
    digestAlgorithm,
    signedAttrs,
    signatureAlgorithm,
    signature,
    unsignedAttrs: rest?.isContext(1) ? rest : null,
  };
}

function parseCertificateSet(set: Der | undefined): Cert[] {
  const out: Cert[] = [];
  for (const c of set?.children() ?? []) {
    if (c.tag !== 0x30) continue;
    try {
      out.push(certFromDer(c.raw));
    } catch {
      // an unparsable extra certificate does not invalidate the signature by itself
    }
  }
  return out;
}

export function parseCms(der: Uint8Array): ParsedCms {
  try {
    const ci = readDer(der).expect(0x30, 'ContentInfo');
    const type = ci.at(0).oid();
    if (type !== OID.signedData) throw new CmsFormatError(`content type ${type} is not SignedData`);
    const sd = ci.at(1).at(0).expect(0x30, 'SignedData').children();
    const encap = sd[2];
    if (!encap) throw new CmsFormatError('SignedData without encapContentInfo');
    const eContentEl = encap.opt(1);
    let certSet: Der | undefined;
    let crlSet: Der | undefined;
    let signerInfos: Der | undefined;
    for (const el of sd.slice(3)) {
      if (el.isContext(0)) certSet = el;
      else if (el.isContext(1)) crlSet = el;
      else if (el.tag === 0x31) signerInfos = el;
    }
    const infos = (signerInfos?.children() ?? []).map(parseSignerInfo);
    const first = infos[0];
    if (!first) throw new CmsFormatError('no SignerInfo');
    return {
      signerInfo: first,
      signerInfos: infos,
      certificates: parseCertificateSet(certSet),
      crls: (crlSet?.children() ?? []).filter((c) => c.tag === 0x30).map((c) => c.raw),
      eContentType: encap.at(0).oid(),
      eContent: eContentEl?.isContext(0) ? eContentEl.at(0).octets() : null,
    };
  } catch (e) {
    if (e instanceof CmsFormatError) throw e;
    if (e instanceof DerError) throw new CmsFormatError(`not DER/BER: ${e.message}`);
    throw new CmsFormatError((e as Error).message);
  }
}

/** First value of the attribute `oid` in a [0]/[1] attribute list. */
export function attribute(attrs: Der | null, oid: string): Der | undefined {
  for (const a of attrs?.children() ?? []) if (a.at(0).oid() === oid) return a.at(1).opt(0);
  return undefined;
}

/** The signed attributes as DER SET OF: the original bytes with the [0] tag replaced by 0x31. */
export function signedAttributesDer(attrs: Der): Uint8Array {
  const out = Uint8Array.from(attrs.raw);
  out[0] = 0x31;
  return out;
}

export function findSignerCert(
  parsed: ParsedCms,
  extra: Cert[] = [],
  si: SignerInfo = parsed.signerInfo,
): Cert | null {
  const sid = si.sid;
  const candidates = [...parsed.certificates, ...extra];
  if ('issuer' in sid)
    return (
      candidates.find(
        (c) => sameBytes(c.serial, sid.serial) && sameName(c.issuerName, sid.issuer),
      ) ?? null
    );
  return candidates.find((c) => c.subjectKeyId === sid.ski) ?? null;
}

export interface SignerCheck {
  digestAlgorithm: string;
  scheme: ReadScheme;
  /** null when there is no message-digest attribute. */
  digestOk: boolean | null;
  signatureOk: boolean;
  /** null when no ESS attribute is present. */
  essOk: boolean | null;
  essVersion: 1 | 2 | null;
  hasSigningTime: boolean;
}

function essBinding(si: SignerInfo, cert: Cert): { ok: boolean | null; version: 1 | 2 | null } {
  const v2 = attribute(si.signedAttrs, OID.signingCertificateV2);
  const v1 = attribute(si.signedAttrs, OID.signingCertificate);
  const attr = v2 ?? v1;
  if (!attr) return { ok: null, version: null };
  const version = v2 ? 2 : 1;
  try {
    const parts = attr.at(0).at(0).children();
    let hashAlg = version === 2 ? 'sha256' : 'sha1';
    let idx = 0;
    if (version === 2 && parts[0]?.tag === 0x30) {
      hashAlg = digestName(algId(parts[0]).oid);
      idx = 1;
    }
    const certHash = parts[idx]?.expect(0x04, 'certHash').value;
    return { ok: !!certHash && sameBytes(certHash, hashChunks(hashAlg, [cert.der])), version };
  } catch {
    return { ok: false, version };
  }
}

/** Checks one SignerInfo against the content (as chunks) and the signer certificate. */
export function checkSigner(
  parsed: ParsedCms,
  content: Uint8Array[],
  cert: Cert,
  si: SignerInfo = parsed.signerInfo,
): SignerCheck {
  const digestAlgorithm = digestName(si.digestAlgorithm);
  const scheme = signatureScheme(si.signatureAlgorithm, si.digestAlgorithm);
  const digest = hashChunks(digestAlgorithm, content);
  if (!si.signedAttrs) {
    // Without signed attributes the signature is over the content itself.
    return {
      digestAlgorithm,
      scheme,
      digestOk: null,
      signatureOk: verifyWithScheme(scheme, Buffer.concat(content), cert.publicKey, si.signature),
      essOk: null,
      essVersion: null,
      hasSigningTime: false,
    };
  }
  const md = attribute(si.signedAttrs, OID.messageDigest);
  const digestOk = md ? sameBytes(md.octets(), digest) : null;
  const signed = signedAttributesDer(si.signedAttrs);
  const signatureOk = verifyWithScheme(scheme, signed, cert.publicKey, si.signature);
  const ess = essBinding(si, cert);
  return {
    digestAlgorithm,
    scheme,
    digestOk,
    signatureOk,
    essOk: ess.ok,
    essVersion: ess.version,
    hasSigningTime: attribute(si.signedAttrs, OID.signingTime) !== undefined,
  };
}

/** Unsigned attribute: the signature time-stamp token (DER ContentInfo), if any. */
export function signatureTimestampToken(parsed: ParsedCms): Uint8Array | null {
  return attribute(parsed.signerInfo.unsignedAttrs, OID.signatureTimeStampToken)?.raw ?? null;
}

/** adbe-revocationInfoArchival (signed attribute): CRLs [0] and OCSP responses [1]. */
export function archivedRevocation(parsed: ParsedCms): { crls: Uint8Array[]; ocsps: Uint8Array[] } {
  const out = { crls: [...parsed.crls], ocsps: [] as Uint8Array[] };
  const v = attribute(parsed.signerInfo.signedAttrs, OID.revocationArchival);
  if (v?.tag !== 0x30) return out;
  for (const tagged of v.children()) {
    const inner = tagged.constructed ? tagged.opt(0) : undefined;
    if (inner?.tag !== 0x30) continue;
    for (const item of inner.children()) {
      if (tagged.isContext(0)) out.crls.push(item.raw);
      else if (tagged.isContext(1)) out.ocsps.push(item.raw);
    }
  }
  return out;
}
