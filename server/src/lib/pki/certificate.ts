import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { PkiError, badDer } from './errors.js';
import { OID } from './oids.js';
import { decodeDer, toArrayBuffer, integerHex, wholeSeconds } from '../asn1/index.js';
import { buildName, type DistinguishedName } from './names.js';
import { certFromDer, type Cert } from './x509.js';
import {
  nativePublicKey,
  publicKeyInfo,
  signatureAlgorithmIdentifier,
  type KeySigner,
} from './key-signer.js';
import { assertStrongKey } from './key-strength.js';
import { PROFILES, pkiUrls, type CertificateKind } from './profiles.js';
import {
  authorityInfoAccessExtension,
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  certificatePoliciesExtension,
  crlDistributionPointsExtension,
  extKeyUsageExtension,
  keyIdentifier,
  keyUsageExtension,
  ocspNoCheckExtension,
  subjectAltNameExtension,
  subjectKeyIdentifierExtension,
} from './extensions.js';

const DAY_MS = 86_400_000;
/** Back-date notBefore a little so relying parties with a slow clock accept fresh certificates. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The issuing side: its certificate (absent for a self-signed root) and its signer. */
export type Issuer = { certificate?: Uint8Array; signer: KeySigner };

export type IssueRequest = {
  kind: CertificateKind;
  subject: DistinguishedName;
  /** The subject's public key (from a generated pair or from a verified CSR). */
  publicKey: KeyObject | pkijs.PublicKeyInfo;
  issuer: Issuer;
  publicUrl: string;
  now?: Date;
  /** Shorter than the profile's maximum if wanted; longer is refused. */
  validityDays?: number;
  dnsNames?: readonly string[];
  emails?: readonly string[];
};

/** Serial number of 64 random bits plus 8 more, forced positive and non-zero-leading. */
function randomSerial(): Uint8Array {
  const bytes = randomBytes(10);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;

  return new Uint8Array(bytes);
}

export type IssuedCertificate = { der: Uint8Array; serialHex: string; notAfter: Date };

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  try {
    return new pkijs.Certificate({ schema: decodeDer(der, 'certificate', badDer) });
  } catch (error) {
    if (error instanceof PkiError) throw error;
    throw new PkiError('PKI_BAD_CERTIFICATE', 'The bytes are DER but not an X.509 certificate.', {
      cause: error,
    });
  }
}

export function certificateSerialHex(cert: pkijs.Certificate): string {
  return integerHex(cert.serialNumber);
}

/** A certificate that issues: read with the one parser, its name as pkijs builds it. */
export type IssuerCertificate = { cert: Cert; name: pkijs.RelativeDistinguishedNames };

export function issuerCertificate(der: Uint8Array): IssuerCertificate {
  let cert: Cert;
  try {
    cert = certFromDer(der);
  } catch (error) {
    throw new PkiError('PKI_BAD_CERTIFICATE', 'The issuer certificate cannot be read.', {
      cause: error,
    });
  }
  const name = new pkijs.RelativeDistinguishedNames({
    schema: decodeDer(cert.subjectName.raw, 'issuer name', badDer),
  });

  return { cert, name };
}

export function certificatePublicKey(cert: pkijs.Certificate): KeyObject {
  return nativePublicKey(cert.subjectPublicKeyInfo);
}

function validity(
  request: IssueRequest,
  issuer: IssuerCertificate | undefined,
): { from: Date; to: Date } {
  const profile = PROFILES[request.kind];
  const days = request.validityDays ?? profile.maxValidityDays;
  if (!Number.isInteger(days) || days < 1 || days > profile.maxValidityDays) {
    throw new PkiError(
      'PKI_BAD_VALIDITY',
      `A ${request.kind} certificate may last 1..${profile.maxValidityDays} days, not ${days}.`,
    );
  }
  const now = request.now ?? new Date();
  const from = wholeSeconds(new Date(now.getTime() - CLOCK_SKEW_MS));
  let to = wholeSeconds(new Date(now.getTime() + days * DAY_MS));
  // A certificate must not outlive its issuer (RFC 5280 path validation would reject it later).
  const issuerEnd = issuer?.cert.notAfter;
  if (issuerEnd && to > issuerEnd) to = issuerEnd;

  return { from, to };
}

function buildExtensions(
  request: IssueRequest,
  spki: pkijs.PublicKeyInfo,
  authorityKeyId: Uint8Array,
) {
  const profile = PROFILES[request.kind];
  const isRsa = spki.algorithm.algorithmId === OID.rsaEncryption;
  const usage = [...profile.keyUsage, ...(isRsa ? (profile.rsaOnlyKeyUsage ?? []) : [])];
  const extensions: pkijs.Extension[] = [
    basicConstraintsExtension(profile.ca, profile.pathLenConstraint),
    keyUsageExtension(usage),
    subjectKeyIdentifierExtension(keyIdentifier(spki)),
    authorityKeyIdentifierExtension(authorityKeyId),
    certificatePoliciesExtension([profile.policy]),
  ];
  if (profile.extKeyUsage) {
    extensions.push(
      extKeyUsageExtension(profile.extKeyUsage, profile.extKeyUsageCritical ?? false),
    );
  }
  const urls = pkiUrls(request.publicUrl);
  if (profile.endEntity) {
    extensions.push(authorityInfoAccessExtension({ ocsp: urls.ocsp, caIssuers: urls.issuingCa }));
    extensions.push(crlDistributionPointsExtension(urls.crl));
  } else if (request.kind === 'issuing-ca') {
    // No OCSP for the CA level: the root's CRL is where a relying party learns its status.
    extensions.push(authorityInfoAccessExtension({ caIssuers: urls.rootCa }));
    extensions.push(crlDistributionPointsExtension(urls.rootCrl));
  }
  if (profile.ocspNoCheck) extensions.push(ocspNoCheckExtension());
  if (request.dnsNames?.length || request.emails?.length) {
    extensions.push(subjectAltNameExtension({ dns: request.dnsNames, email: request.emails }));
  }
  if (request.kind === 'tls-server' && !request.dnsNames?.length) {
    throw new PkiError(
      'PKI_MISSING_DNS_NAME',
      'A tls-server certificate needs at least one DNS name (dnsNames).',
    );
  }

  return extensions;
}

/** Sign the TBS part with any KeySigner and attach the signature (pkijs would need a CryptoKey). */
async function signCertificate(cert: pkijs.Certificate, signer: KeySigner): Promise<Uint8Array> {
  cert.signature = signatureAlgorithmIdentifier(signer.algorithm);
  cert.signatureAlgorithm = signatureAlgorithmIdentifier(signer.algorithm);
  cert.tbsView = new Uint8Array(cert.encodeTBS().toBER(false));
  const signature = await signer.sign(cert.tbsView);
  cert.signatureValue = new asn1js.BitString({ valueHex: toArrayBuffer(signature) });

  return new Uint8Array(cert.toSchema(false).toBER(false));
}

/** Issue an X.509 v3 certificate of the given kind. Self-signed when `issuer.certificate` is absent. */
export async function issueCertificate(request: IssueRequest): Promise<IssuedCertificate> {
  const issuerCert = request.issuer.certificate
    ? issuerCertificate(request.issuer.certificate)
    : undefined;
  if (!issuerCert && request.kind !== 'root-ca') {
    throw new PkiError(
      'PKI_MISSING_ISSUER',
      `A ${request.kind} certificate needs an issuer certificate.`,
    );
  }
  const spki = 'export' in request.publicKey ? publicKeyInfo(request.publicKey) : request.publicKey;
  // the CA never vouches for a weak key, whichever path brought it (CSR, generated, imported)
  assertStrongKey(
    'export' in request.publicKey ? request.publicKey : nativePublicKey(spki),
    'certificate subject',
  );
  const subject = buildName(request.subject);
  const authorityKeyId = issuerCert ? issuerCert.cert.keyIdentifier : keyIdentifier(spki);
  const { from, to } = validity(request, issuerCert);

  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: toArrayBuffer(randomSerial()) });
  cert.issuer = issuerCert ? issuerCert.name : subject;
  cert.subject = subject;
  cert.notBefore = new pkijs.Time({ type: 0, value: from });
  cert.notAfter = new pkijs.Time({ type: to.getUTCFullYear() >= 2050 ? 1 : 0, value: to });
  cert.subjectPublicKeyInfo = spki;
  cert.extensions = buildExtensions(request, spki, authorityKeyId);
  const der = await signCertificate(cert, request.issuer.signer);

  return { der, serialHex: certificateSerialHex(cert), notAfter: to };
}

export function fingerprintSha256(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}
