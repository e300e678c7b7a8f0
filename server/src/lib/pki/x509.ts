/**
 * The one certificate parser. One parsed certificate: fields read once with the zero-copy DER reader, the public key and
 * signature checks done by Node's native crypto. Certificates are cached by the SHA-256 of their
 * DER: a hub sees the same CA and signer certificates in document after document, so parsing
 * and link verification are paid once per certificate, not once per file.
 */
import { X509Certificate, createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { OID } from '../asn1/oids.js';
import { Der, hex, readDer, sameBytes } from '../asn1/index.js';

const NAME_KEYS: Record<string, string> = {
  [OID.commonName]: 'CN',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.countryName]: 'C',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.serialNumber]: 'serialNumber',
  [OID.organizationIdentifier]: 'organizationIdentifier',
  [OID.title]: 'title',
  [OID.userId]: 'UID',
  [OID.emailAddress]: 'E',
};

const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
];

/** Name (SEQUENCE OF RDN SET OF AttributeTypeAndValue) → [key, value] pairs in order. */
export function nameAttributes(name: Der): [string, string][] {
  const out: [string, string][] = [];
  for (const rdn of name.children())
    for (const atv of rdn.children()) {
      const type = atv.at(0).oid();
      const v = atv.opt(1);
      out.push([NAME_KEYS[type] ?? type, v && !v.constructed ? v.text() : '']);
    }
  return out;
}

export function nameToString(name: Der): string {
  return nameAttributes(name)
    .map(([k, v]) => `${k}=${v}`)
    .reverse()
    .join(', ');
}

/** Binary comparison first (the common case), then a case-insensitive textual one. */
export function sameName(a: Der, b: Der): boolean {
  if (sameBytes(a.raw, b.raw)) return true;
  return nameToString(a).toLowerCase() === nameToString(b).toLowerCase();
}

function uris(generalNames: Der[]): string[] {
  return generalNames.filter((n) => n.tag === 0x86).map((n) => n.text());
}

interface Extension {
  critical: boolean;
  /** The element inside extnValue. */
  value: Der;
}

export class Cert {
  readonly der: Uint8Array;
  readonly sha256: string;
  /** INTEGER contents (no tag and length). */
  readonly serial: Uint8Array;
  /** The whole INTEGER element, as CMS issuerAndSerialNumber and OCSP CertID splice it. */
  readonly serialDer: Uint8Array;
  readonly serialHex: string;
  readonly issuerName: Der;
  readonly subjectName: Der;
  /** subjectPublicKey BIT STRING contents (for OCSP CertID keyHash). */
  readonly publicKeyBits: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subject: string;
  readonly issuer: string;
  private readonly spki: Uint8Array;
  private readonly extensions = new Map<string, Extension>();
  private key: KeyObject | undefined;
  private x509cert: X509Certificate | undefined;
  /** issuer sha256 → verdict of the native signature check. */
  private readonly issuedByCache = new Map<string, boolean>();

  constructor(der: Uint8Array, sha256?: string) {
    const root = readDer(der).expect(0x30, 'Certificate');
    this.der = der.subarray(0, root.end);
    this.sha256 = sha256 ?? createHash('sha256').update(this.der).digest('hex');
    const tbs = root.at(0).expect(0x30, 'TBSCertificate');
    const f = tbs.children();
    let i = f[0]?.isContext(0) ? 1 : 0;
    const at = (what: string): Der => {
      const el = f[i++];
      if (!el) throw new Error(`certificate without ${what}`);
      return el;
    };
    const serial = at('serial').expect(0x02, 'serial');
    this.serial = serial.value;
    this.serialDer = serial.raw;
    at('signature algorithm');
    this.issuerName = at('issuer').expect(0x30, 'issuer');
    const validity = at('validity');
    this.subjectName = at('subject').expect(0x30, 'subject');
    const spki = at('public key').expect(0x30, 'SubjectPublicKeyInfo');
    this.spki = spki.raw;
    this.publicKeyBits = spki.at(1).bits();
    this.notBefore = validity.at(0).time();
    this.notAfter = validity.at(1).time();
    for (const el of f.slice(i)) if (el.isContext(3)) this.readExtensions(el.at(0));
    this.subject = nameToString(this.subjectName);
    this.issuer = nameToString(this.issuerName);
    this.serialHex = hex(this.serial).toUpperCase();
  }

  private readExtensions(list: Der): void {
    for (const ext of list.children()) {
      const hasCritical = ext.opt(1)?.tag === 0x01;
      const critical = hasCritical && ext.at(1).bool();
      const octets = ext.at(hasCritical ? 2 : 1).expect(0x04, 'extnValue');
      this.extensions.set(ext.at(0).oid(), { critical, value: readDer(octets.value) });
    }
  }

  get x509(): X509Certificate {
    return (this.x509cert ??= new X509Certificate(this.der));
  }
  get publicKey(): KeyObject {
    return (this.key ??= createPublicKey({
      key: Buffer.from(this.spki),
      format: 'der',
      type: 'spki',
    }));
  }
  get isSelfSigned(): boolean {
    return sameName(this.subjectName, this.issuerName) && this.issuedBy(this);
  }
  get isCA(): boolean {
    const bc = this.extensions.get(OID.basicConstraints)?.value;
    const first = bc?.opt(0);
    return first?.tag === 0x01 && first.bool();
  }
  /** KeyUsage bits as a set of names, or null when the extension is absent. */
  get keyUsage(): Set<string> | null {
    const ku = this.extensions.get(OID.keyUsage)?.value;
    if (!ku) return null;
    const bytes = ku.bits();
    return new Set(KEY_USAGES.filter((_, i) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1));
  }
  get extendedKeyUsage(): string[] {
    return (this.extensions.get(OID.extKeyUsage)?.value.children() ?? []).map((o) => o.oid());
  }
  /** The subject key identifier, or the SHA-1 of the public key without one (RFC 5280 §4.2.1.2). */
  get keyIdentifier(): Uint8Array {
    const ski = this.extensions.get(OID.subjectKeyIdentifier)?.value;
    return ski ? ski.value : createHash('sha1').update(this.publicKeyBits).digest();
  }
  get subjectKeyId(): string | null {
    const ski = this.extensions.get(OID.subjectKeyIdentifier)?.value;
    return ski ? hex(ski.value) : null;
  }
  get crlUrls(): string[] {
    const points = this.extensions.get(OID.crlDistributionPoints)?.value.children() ?? [];
    return points.flatMap((dp) => {
      const name = dp.children().find((c) => c.isContext(0));
      const full = name?.children().find((c) => c.isContext(0));
      return full ? uris(full.children()) : [];
    });
  }
  get ocspUrls(): string[] {
    return this.accessUrls(OID.adOcsp);
  }
  /** URIs of the AIA entries with this access method (OCSP, caIssuers). */
  accessUrls(method: string): string[] {
    const aia = this.extensions.get(OID.authorityInfoAccess)?.value.children() ?? [];
    return aia.filter((d) => d.at(0).oid() === method).flatMap((d) => uris([d.at(1)]));
  }
  attribute(key: string): string | null {
    return nameAttributes(this.subjectName).find(([k]) => k === key)?.[1] ?? null;
  }
  /** True when `issuer` signed this certificate (names match and the signature verifies natively). */
  issuedBy(issuer: Cert): boolean {
    const known = this.issuedByCache.get(issuer.sha256);
    if (known !== undefined) return known;
    let ok = false;
    if (sameName(this.issuerName, issuer.subjectName)) {
      try {
        ok = this.x509.verify(issuer.publicKey);
      } catch {
        ok = false;
      }
    }
    this.issuedByCache.set(issuer.sha256, ok);
    return ok;
  }
}

const CACHE_LIMIT = 2000;
const cache = new Map<string, Cert>();

/** The parsed certificate for these DER bytes, from the cache when it was seen before. */
export function certFromDer(der: Uint8Array): Cert {
  const sha = createHash('sha256').update(der).digest('hex');
  const hit = cache.get(sha);
  if (hit) return hit;
  // A copy, so that the cache never keeps a whole PDF alive through a subarray.
  const cert = new Cert(Uint8Array.from(der), sha);
  if (cert.der.length !== der.length) return cert;
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(sha, cert);
  return cert;
}

/** Drops every cached certificate (benchmarks measure the cold path with it). */
export function clearCertificateCache(): void {
  cache.clear();
}

/** Parses DER or PEM (one or many certificates) leniently: unparsable blocks are skipped. */
export function parseCertificates(input: Uint8Array): Cert[] {
  const text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1');
  const blocks = text.includes('-----BEGIN')
    ? [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map(
        (m) => new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')),
      )
    : [];
  const ders = blocks.length > 0 ? blocks : [input];
  const out: Cert[] = [];
  for (const der of ders) {
    try {
      out.push(certFromDer(der));
    } catch {
      // not a certificate: the caller reports what it expected
    }
  }
  return out;
}
