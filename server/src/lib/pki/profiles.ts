import { OID, POLICY } from './oids.js';
import type { KeyUsageBit } from './extensions.js';

export const CERTIFICATE_KINDS = [
  'root-ca',
  'issuing-ca',
  'tsa',
  'ocsp',
  'organization-seal',
  'personal-signer',
  'tls-server',
  'agency-client',
] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];

/** What a certificate of one kind carries; see docs/pki.md for the field-by-field table. */
export type CertificateProfile = {
  maxValidityDays: number;
  ca: boolean;
  pathLenConstraint?: number;
  keyUsage: readonly KeyUsageBit[];
  /** Only for RSA keys (an ECDSA key cannot encipher keys): TLS key transport. */
  rsaOnlyKeyUsage?: readonly KeyUsageBit[];
  extKeyUsage?: readonly string[];
  extKeyUsageCritical?: boolean;
  policy: string;
  ocspNoCheck?: boolean;
  /** End entities point at the hub's OCSP responder, issuer certificate and CRL. */
  endEntity: boolean;
};

const YEAR = 365;
const SIGNING_KEY_USAGE: readonly KeyUsageBit[] = ['digitalSignature', 'nonRepudiation'];

const CA = { ca: true, keyUsage: ['keyCertSign', 'cRLSign'], endEntity: false } as const;
const END_ENTITY = { ca: false, endEntity: true } as const;

export const PROFILES: Record<CertificateKind, CertificateProfile> = {
  'root-ca': {
    ...CA,
    maxValidityDays: 20 * YEAR + 5,
    pathLenConstraint: 1,
    policy: POLICY.rootCa,
  },
  'issuing-ca': {
    ...CA,
    maxValidityDays: 10 * YEAR + 3,
    pathLenConstraint: 0,
    policy: POLICY.issuingCa,
  },
  tsa: {
    maxValidityDays: 5 * YEAR + 2,
    ...END_ENTITY,
    keyUsage: SIGNING_KEY_USAGE,
    // RFC 3161 §2.3: the only EKU, and critical.
    extKeyUsage: [OID.ekuTimeStamping],
    extKeyUsageCritical: true,
    policy: POLICY.tsa,
  },
  ocsp: {
    maxValidityDays: 5 * YEAR + 2,
    ...END_ENTITY,
    keyUsage: ['digitalSignature'],
    extKeyUsage: [OID.ekuOcspSigning],
    policy: POLICY.ocsp,
    ocspNoCheck: true,
  },
  'organization-seal': {
    maxValidityDays: 3 * YEAR + 1,
    ...END_ENTITY,
    keyUsage: SIGNING_KEY_USAGE,
    policy: POLICY.organizationSeal,
  },
  'personal-signer': {
    maxValidityDays: 3 * YEAR + 1,
    ...END_ENTITY,
    keyUsage: SIGNING_KEY_USAGE,
    policy: POLICY.personalSigner,
  },
  'tls-server': {
    maxValidityDays: YEAR,
    ...END_ENTITY,
    keyUsage: ['digitalSignature'],
    rsaOnlyKeyUsage: ['keyEncipherment'],
    extKeyUsage: [OID.ekuServerAuth],
    policy: POLICY.tlsServer,
  },
  'agency-client': {
    maxValidityDays: 2 * YEAR + 1,
    ...END_ENTITY,
    keyUsage: ['digitalSignature'],
    extKeyUsage: [OID.ekuClientAuth],
    policy: POLICY.agencyClient,
  },
};

/** The hub's public URLs that issued certificates point at. */
export function pkiUrls(publicUrl: string) {
  const base = publicUrl.replace(/\/+$/, '');

  return {
    ocsp: `${base}/pki/ocsp`,
    // RFC 5280 §4.2.2.1: caIssuers over HTTP should serve DER; the .pem twin is for people.
    issuingCa: `${base}/pki/issuing-ca.cer`,
    rootCa: `${base}/pki/root-ca.cer`,
    /** The issuing CA's CRL (end entities' CRL distribution point). */
    crl: `${base}/pki/crl`,
    /** The root's CRL (an ARL: the certificates the root signed, i.e. the issuing CA). */
    rootCrl: `${base}/pki/root-ca.crl`,
  };
}
