/**
 * Revocation status of one certificate from OCSP responses and CRLs (DSS, CMS archival or
 * fetched online). A response only counts when its signature verifies: OCSP signed by the
 * issuer itself or by a responder certificate the issuer gave the OCSPSigning EKU; CRLs signed
 * by the issuer (indirect CRLs are not supported).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { digestName, hashChunks, signatureScheme, verifySignature } from './algorithms.js';
import { Cert } from './certificates.js';

export type RevocationSource = 'DSS' | 'CMS' | 'ONLINE';

export interface RevocationData {
  source: RevocationSource;
  ocsps: Uint8Array[];
  crls: Uint8Array[];
}

export interface RevocationStatus {
  status: 'good' | 'revoked' | 'unknown';
  source: RevocationSource;
  type: 'OCSP' | 'CRL';
  revokedAt: Date | null;
  reason: string | null;
  thisUpdate: Date;
}

const OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const CRL_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'unused',
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

/** Parsed OCSP/CRL per input buffer: the same DSS data is checked for every chain certificate. */
const parsedCache = new WeakMap<Uint8Array, Map<string, unknown>>();

function cached<T>(der: Uint8Array, kind: string, parse: () => T): T {
  let byKind = parsedCache.get(der);
  if (!byKind) parsedCache.set(der, (byKind = new Map()));
  if (!byKind.has(kind)) byKind.set(kind, parse());
  return byKind.get(kind) as T;
}

function parseDer<T>(der: Uint8Array, make: (schema: asn1js.AsnType) => T): T | null {
  try {
    const asn1 = asn1js.fromBER(der);
    return asn1.offset === -1 ? null : make(asn1.result);
  } catch {
    return null;
  }
}

function bytes(v: { valueBlock: { valueHexView: Uint8Array } }): Buffer {
  return Buffer.from(v.valueBlock.valueHexView);
}

function certIdMatches(id: pkijs.CertID, cert: Cert, issuer: Cert): boolean {
  if (!bytes(id.serialNumber).equals(bytes(cert.pki.serialNumber))) return false;
  try {
    const alg = digestName(id.hashAlgorithm.algorithmId);
    const nameHash = hashChunks(alg, [new Uint8Array(issuer.pki.subject.valueBeforeDecode)]);
    const keyHash = hashChunks(alg, [
      issuer.pki.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView,
    ]);
    return nameHash.equals(bytes(id.issuerNameHash)) && keyHash.equals(bytes(id.issuerKeyHash));
  } catch {
    return false;
  }
}

/** The certificate that signed the OCSP response, if it is the issuer or its delegated responder. */
function ocspSigner(basic: pkijs.BasicOCSPResponse, issuer: Cert): Cert | null {
  const scheme = signatureScheme(basic.signatureAlgorithm);
  const tbs = basic.tbsResponseData.tbsView;
  const sig = basic.signature.valueBlock.valueHexView;
  if (verifySignature(scheme, tbs, issuer.publicKey, sig)) return issuer;
  for (const c of basic.certs ?? []) {
    const responder = new Cert(new Uint8Array(c.toSchema().toBER(false)));
    if (!responder.issuedBy(issuer) || !responder.extendedKeyUsage.includes(OCSP_SIGNING)) continue;
    if (verifySignature(scheme, tbs, responder.publicKey, sig)) return responder;
  }
  return null;
}

function reasonOf(code: number | undefined): string | null {
  return code === undefined ? null : (CRL_REASONS[code] ?? String(code));
}

function parseOcsp(der: Uint8Array): pkijs.BasicOCSPResponse | null {
  return (
    parseDer(der, (schema) => {
      const resp = new pkijs.OCSPResponse({ schema });
      if (resp.responseStatus.valueBlock.valueDec !== 0 || !resp.responseBytes) return null;
      const inner = asn1js.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
      return new pkijs.BasicOCSPResponse({ schema: inner.result });
    }) ?? parseDer(der, (schema) => new pkijs.BasicOCSPResponse({ schema }))
  );
}

export function checkOcsp(
  der: Uint8Array,
  cert: Cert,
  issuer: Cert,
  source: RevocationSource,
): RevocationStatus | null {
  const basic = cached(der, 'ocsp', () => parseOcsp(der));
  if (!basic) return null;
  const single = basic.tbsResponseData.responses.find((r) => certIdMatches(r.certID, cert, issuer));
  if (!single) return null;
  try {
    if (!ocspSigner(basic, issuer)) return null;
  } catch {
    return null;
  }
  const status = single.certStatus as asn1js.Constructed;
  const tag = status.idBlock.tagNumber;
  if (tag === 1) {
    const time = status.valueBlock.value[0] as asn1js.GeneralizedTime;
    const reasonTagged = status.valueBlock.value[1] as asn1js.Constructed | undefined;
    const reasonEnum = reasonTagged?.valueBlock.value[0] as asn1js.Enumerated | undefined;
    return {
      status: 'revoked',
      source,
      type: 'OCSP',
      revokedAt: time.toDate(),
      reason: reasonOf(reasonEnum?.valueBlock.valueDec),
      thisUpdate: single.thisUpdate,
    };
  }
  return {
    status: tag === 0 ? 'good' : 'unknown',
    source,
    type: 'OCSP',
    revokedAt: null,
    reason: null,
    thisUpdate: single.thisUpdate,
  };
}

export function checkCrl(
  der: Uint8Array,
  cert: Cert,
  issuer: Cert,
  source: RevocationSource,
): RevocationStatus | null {
  const crl = cached(der, 'crl', () =>
    parseDer(der, (schema) => new pkijs.CertificateRevocationList({ schema })),
  );
  if (!crl || !crl.issuer.isEqual(issuer.pki.subject)) return null;
  try {
    const scheme = signatureScheme(crl.signature);
    if (
      !verifySignature(
        scheme,
        crl.tbsView,
        issuer.publicKey,
        crl.signatureValue.valueBlock.valueHexView,
      )
    )
      return null;
  } catch {
    return null;
  }
  const serial = bytes(cert.pki.serialNumber);
  const entry = crl.revokedCertificates?.find((r) => bytes(r.userCertificate).equals(serial));
  if (!entry)
    return {
      status: 'good',
      source,
      type: 'CRL',
      revokedAt: null,
      reason: null,
      thisUpdate: crl.thisUpdate.value,
    };
  const reasonExt = entry.crlEntryExtensions?.extensions.find((e) => e.extnID === '2.5.29.21');
  const reasonEnum = reasonExt
    ? (asn1js.fromBER(reasonExt.extnValue.valueBlock.valueHexView).result as asn1js.Enumerated)
    : undefined;
  return {
    status: 'revoked',
    source,
    type: 'CRL',
    revokedAt: entry.revocationDate.value,
    reason: reasonOf(reasonEnum?.valueBlock.valueDec),
    thisUpdate: crl.thisUpdate.value,
  };
}

/**
 * Best status over all data: a proven revocation wins, then a good answer, then unknown.
 * `null` means no usable revocation information at all.
 */
export function revocationStatus(
  cert: Cert,
  issuer: Cert,
  data: RevocationData[],
): RevocationStatus | null {
  const found: RevocationStatus[] = [];
  for (const d of data) {
    for (const o of d.ocsps) {
      const s = checkOcsp(o, cert, issuer, d.source);
      if (s) found.push(s);
    }
    for (const c of d.crls) {
      const s = checkCrl(c, cert, issuer, d.source);
      if (s) found.push(s);
    }
  }
  return (
    found.find((s) => s.status === 'revoked') ??
    found.find((s) => s.status === 'good') ??
    found[0] ??
    null
  );
}
