/**
 * Revocation status of one certificate from OCSP responses and CRLs (DSS, CMS archival or
 * fetched online). A response only counts when its signature verifies: OCSP signed by the
 * issuer itself or by a responder certificate the issuer gave the OCSPSigning EKU; CRLs signed
 * by the issuer (indirect CRLs are not supported).
 */
import { createHash, type KeyObject } from 'node:crypto';
import { digestName, hashChunks, signatureScheme, verifyWithScheme } from '../pki/algorithms.js';
import { OID } from '../asn1/oids.js';
import { Cert, certFromDer, sameName } from '../pki/x509.js';
import { Der, algId, hex, readDer, sameBytes, type AlgId } from '../asn1/index.js';

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

interface OcspSingle {
  hashAlgorithm: string;
  nameHash: Uint8Array;
  keyHash: Uint8Array;
  serial: Uint8Array;
  /** CHOICE tag number: 0 good, 1 revoked, 2 unknown. */
  statusTag: number;
  revokedAt: Date | null;
  reasonCode: number | undefined;
  thisUpdate: Date;
}

/** X.509's SIGNED{…} (BasicOCSPResponse, CertificateList): the signed bytes, how, the signature. */
interface Signed {
  tbs: Uint8Array;
  signatureAlgorithm: AlgId;
  signature: Uint8Array;
}

function readSigned(signed: Der, tbs: Der): Signed {
  return { tbs: tbs.raw, signatureAlgorithm: algId(signed.at(1)), signature: signed.at(2).bits() };
}

/** True when `key` verifies `s`; throws, as signatureScheme does, on an unknown algorithm. */
function verifiesWith(s: Signed, key: KeyObject): boolean {
  return verifyWithScheme(signatureScheme(s.signatureAlgorithm), s.tbs, key, s.signature);
}

interface ParsedOcsp extends Signed {
  certs: Uint8Array[];
  responses: OcspSingle[];
  /** issuer sha256 → signer (issuer or delegated responder), null when none verifies. */
  signers: Map<string, Cert | null>;
}

interface CrlEntry {
  revokedAt: Date;
  reasonCode: number | undefined;
}

interface ParsedCrl extends Signed {
  issuer: Der;
  thisUpdate: Date;
  /** serial hex → entry */
  revoked: Map<string, CrlEntry>;
  /** issuer sha256 → signature verdict */
  verified: Map<string, boolean>;
}

/*
 * Parsed OCSP responses and CRLs by the SHA-256 of their DER: the same CA CRL or OCSP answer is
 * embedded in document after document (and checked for every chain certificate), so each is
 * parsed, and its signature verified per issuer, once.
 */
const CACHE_LIMIT = 500;
const parsedCache = new Map<string, ParsedOcsp | ParsedCrl | null>();

function cached<T extends ParsedOcsp | ParsedCrl>(
  der: Uint8Array,
  kind: string,
  parse: () => T | null,
): T | null {
  const key = `${kind}:${createHash('sha256').update(der).digest('hex')}`;
  if (parsedCache.has(key)) return parsedCache.get(key) as T | null;
  let value: T | null;
  try {
    value = parse();
  } catch {
    value = null;
  }
  if (parsedCache.size >= CACHE_LIMIT)
    parsedCache.delete(parsedCache.keys().next().value as string);
  parsedCache.set(key, value);
  return value;
}

export function clearRevocationCache(): void {
  parsedCache.clear();
}

function crlReason(extensions: Der | undefined): number | undefined {
  for (const ext of extensions?.children() ?? []) {
    if (ext.at(0).oid() !== OID.crlReason) continue;
    const octets = ext.children().at(-1);
    return octets ? readDer(octets.value).small() : undefined;
  }
  return undefined;
}

function readSingle(single: Der): OcspSingle {
  const id = single.at(0);
  const status = single.at(1);
  const revoked = status.isContext(1) ? status : undefined;
  const reason = revoked?.opt(1);
  return {
    hashAlgorithm: algId(id.at(0)).oid,
    nameHash: id.at(1).value,
    keyHash: id.at(2).value,
    serial: id.at(3).value,
    statusTag: status.tag & 0x1f,
    revokedAt: revoked ? revoked.at(0).time() : null,
    reasonCode: reason ? reason.at(0).small() : undefined,
    thisUpdate: single.at(2).time(),
  };
}

function readBasicOcsp(basic: Der): ParsedOcsp {
  const tbs = basic.at(0).expect(0x30, 'ResponseData');
  const fields = tbs.children();
  const responses = fields.find((f, i) => i > 0 && f.tag === 0x30 && f.opt(0)?.tag === 0x30);
  const certsEl = basic.opt(3);
  return {
    ...readSigned(basic, tbs),
    certs: certsEl?.isContext(0)
      ? certsEl
          .at(0)
          .children()
          .map((c) => c.raw)
      : [],
    responses: (responses?.children() ?? []).map(readSingle),
    signers: new Map(),
  };
}

/** An OCSPResponse (status successful, id-pkix-ocsp-basic) or a bare BasicOCSPResponse. */
function parseOcsp(der: Uint8Array): ParsedOcsp | null {
  const top = readDer(der).expect(0x30, 'OCSP response');
  const first = top.at(0);
  if (first.tag !== 0x0a) return readBasicOcsp(top);
  if (first.small() !== 0) return null;
  const responseBytes = top.opt(1);
  if (!responseBytes?.isContext(0)) return null;
  return readBasicOcsp(readDer(responseBytes.at(0).at(1).octets()));
}

function parseCrl(der: Uint8Array): ParsedCrl {
  const crl = readDer(der).expect(0x30, 'CertificateList');
  const tbs = crl.at(0).expect(0x30, 'TBSCertList');
  const f = tbs.children();
  let i = f[0]?.tag === 0x02 ? 2 : 1;
  const issuer = tbs.at(i++);
  const thisUpdate = tbs.at(i++).time();
  if (f[i]?.tag === 0x17 || f[i]?.tag === 0x18) i++;
  const revoked = new Map<string, CrlEntry>();
  const list = f[i];
  if (list?.tag === 0x30)
    for (const entry of list.children())
      revoked.set(hex(entry.at(0).value), {
        revokedAt: entry.at(1).time(),
        reasonCode: crlReason(entry.opt(2)),
      });
  return {
    ...readSigned(crl, tbs),
    issuer,
    thisUpdate,
    revoked,
    verified: new Map(),
  };
}

function certIdMatches(id: OcspSingle, cert: Cert, issuer: Cert): boolean {
  if (!sameBytes(id.serial, cert.serial)) return false;
  try {
    const alg = digestName(id.hashAlgorithm);
    return (
      sameBytes(hashChunks(alg, [issuer.subjectName.raw]), id.nameHash) &&
      sameBytes(hashChunks(alg, [issuer.publicKeyBits]), id.keyHash)
    );
  } catch {
    return false;
  }
}

/** The certificate that signed the OCSP response, if it is the issuer or its delegated responder. */
function ocspSigner(basic: ParsedOcsp, issuer: Cert): Cert | null {
  const known = basic.signers.get(issuer.sha256);
  if (known !== undefined) return known;
  let signer: Cert | null = null;
  try {
    if (verifiesWith(basic, issuer.publicKey)) signer = issuer;
    for (const der of signer ? [] : basic.certs) {
      const responder = certFromDer(der);
      if (!responder.issuedBy(issuer) || !responder.extendedKeyUsage.includes(OID.ekuOcspSigning))
        continue;
      if (verifiesWith(basic, responder.publicKey)) {
        signer = responder;
        break;
      }
    }
  } catch {
    signer = null;
  }
  basic.signers.set(issuer.sha256, signer);
  return signer;
}

function reasonOf(code: number | undefined): string | null {
  return code === undefined ? null : (CRL_REASONS[code] ?? String(code));
}

export function checkOcsp(
  der: Uint8Array,
  cert: Cert,
  issuer: Cert,
  source: RevocationSource,
): RevocationStatus | null {
  const basic = cached(der, 'ocsp', () => parseOcsp(der));
  if (!basic) return null;
  const single = basic.responses.find((r) => certIdMatches(r, cert, issuer));
  if (!single || !ocspSigner(basic, issuer)) return null;
  const status = single.statusTag === 1 ? 'revoked' : single.statusTag === 0 ? 'good' : 'unknown';
  return {
    status,
    source,
    type: 'OCSP',
    revokedAt: single.revokedAt,
    reason: status === 'revoked' ? reasonOf(single.reasonCode) : null,
    thisUpdate: single.thisUpdate,
  };
}

function crlSignedBy(crl: ParsedCrl, issuer: Cert): boolean {
  const known = crl.verified.get(issuer.sha256);
  if (known !== undefined) return known;
  let ok = false;
  try {
    ok = sameName(crl.issuer, issuer.subjectName) && verifiesWith(crl, issuer.publicKey);
  } catch {
    ok = false;
  }
  crl.verified.set(issuer.sha256, ok);
  return ok;
}

export function checkCrl(
  der: Uint8Array,
  cert: Cert,
  issuer: Cert,
  source: RevocationSource,
): RevocationStatus | null {
  const crl = cached(der, 'crl', () => parseCrl(der));
  if (!crl || !crlSignedBy(crl, issuer)) return null;
  const entry = crl.revoked.get(hex(cert.serial));
  return {
    status: entry ? 'revoked' : 'good',
    source,
    type: 'CRL',
    revokedAt: entry?.revokedAt ?? null,
    reason: entry ? reasonOf(entry.reasonCode) : null,
    thisUpdate: crl.thisUpdate,
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
