/**
 * One parsed certificate seen through both pkijs (structure, extensions) and Node's
 * X509Certificate (native signature checks and public key).
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

const NAME_KEYS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.5': 'serialNumber',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'E',
};

export function nameAttributes(name: pkijs.RelativeDistinguishedNames): [string, string][] {
  return name.typesAndValues.map((tv) => {
    const v = tv.value as { valueBlock?: { value?: unknown } };
    return [NAME_KEYS[tv.type] ?? tv.type, String(v.valueBlock?.value ?? '')];
  });
}

export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return nameAttributes(name)
    .map(([k, v]) => `${k}=${v}`)
    .reverse()
    .join(', ');
}

function extension(cert: pkijs.Certificate, oid: string): pkijs.Extension | undefined {
  return cert.extensions?.find((e) => e.extnID === oid);
}

function uris(names: pkijs.GeneralName[] | undefined): string[] {
  return (names ?? []).filter((n) => n.type === 6).map((n) => String(n.value));
}

export class Cert {
  readonly der: Uint8Array;
  readonly pki: pkijs.Certificate;
  readonly x509: X509Certificate;
  readonly subject: string;
  readonly issuer: string;
  readonly serialHex: string;
  readonly sha256: string;

  constructor(der: Uint8Array) {
    this.der = der;
    const asn1 = asn1js.fromBER(der);
    if (asn1.offset === -1) throw new Error('not DER');
    this.pki = new pkijs.Certificate({ schema: asn1.result });
    this.x509 = new X509Certificate(der);
    this.subject = nameToString(this.pki.subject);
    this.issuer = nameToString(this.pki.issuer);
    this.serialHex = Buffer.from(this.pki.serialNumber.valueBlock.valueHexView)
      .toString('hex')
      .toUpperCase();
    this.sha256 = createHash('sha256').update(der).digest('hex');
  }

  get publicKey(): KeyObject {
    return this.x509.publicKey;
  }
  get notBefore(): Date {
    return this.pki.notBefore.value;
  }
  get notAfter(): Date {
    return this.pki.notAfter.value;
  }
  get isSelfSigned(): boolean {
    return this.pki.subject.isEqual(this.pki.issuer) && this.x509.verify(this.publicKey);
  }
  get isCA(): boolean {
    const bc = extension(this.pki, '2.5.29.19')?.parsedValue as pkijs.BasicConstraints | undefined;
    return bc?.cA === true;
  }
  /** KeyUsage bits as a set of names, or null when the extension is absent. */
  get keyUsage(): Set<string> | null {
    const ku = extension(this.pki, '2.5.29.15')?.parsedValue as asn1js.BitString | undefined;
    if (!ku) return null;
    const names = [
      'digitalSignature',
      'nonRepudiation',
      'keyEncipherment',
      'dataEncipherment',
      'keyAgreement',
      'keyCertSign',
      'cRLSign',
    ];
    const bytes = ku.valueBlock.valueHexView;
    return new Set(names.filter((_, i) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1));
  }
  get extendedKeyUsage(): string[] {
    const eku = extension(this.pki, '2.5.29.37')?.parsedValue as pkijs.ExtKeyUsage | undefined;
    return eku?.keyPurposes ?? [];
  }
  get subjectKeyId(): string | null {
    const ski = extension(this.pki, '2.5.29.14')?.parsedValue as asn1js.OctetString | undefined;
    return ski ? Buffer.from(ski.valueBlock.valueHexView).toString('hex') : null;
  }
  get crlUrls(): string[] {
    const dp = extension(this.pki, '2.5.29.31')?.parsedValue as
      pkijs.CRLDistributionPoints | undefined;
    return (dp?.distributionPoints ?? []).flatMap((p) =>
      Array.isArray(p.distributionPoint) ? uris(p.distributionPoint) : [],
    );
  }
  get ocspUrls(): string[] {
    const aia = extension(this.pki, '1.3.6.1.5.5.7.1.1')?.parsedValue as
      pkijs.InfoAccess | undefined;
    return (aia?.accessDescriptions ?? [])
      .filter((d) => d.accessMethod === '1.3.6.1.5.5.7.48.1')
      .flatMap((d) => uris([d.accessLocation]));
  }
  attribute(key: string): string | null {
    return nameAttributes(this.pki.subject).find(([k]) => k === key)?.[1] ?? null;
  }
  /** True when `issuer` signed this certificate (names match and the signature verifies natively). */
  issuedBy(issuer: Cert): boolean {
    if (!this.pki.issuer.isEqual(issuer.pki.subject)) return false;
    try {
      return this.x509.verify(issuer.publicKey);
    } catch {
      return false;
    }
  }
}

/** Parses DER or PEM (one or many certificates) leniently: unparsable blocks are skipped. */
export function parseCertificates(input: Uint8Array): Cert[] {
  const text = Buffer.from(input).toString('latin1');
  const blocks = [
    ...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g),
  ].map((m) => new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')));
  const ders = blocks.length > 0 ? blocks : [input];
  const out: Cert[] = [];
  for (const der of ders) {
    try {
      out.push(new Cert(der));
    } catch {
      // not a certificate: the caller reports what it expected
    }
  }
  return out;
}
