import { z } from 'zod';
import { ZObjectId } from './common.js';
import { answer, bytes, routes, text, ZId } from './endpoint.js';

/** Kinds of certificate the hub's issuing CA records (its own TSA and OCSP responder included). */
export const CERTIFICATE_KINDS = ['seal', 'personal', 'tls', 'client', 'tsa', 'ocsp'] as const;
export type TCertificateKind = (typeof CERTIFICATE_KINDS)[number];

/** A hub-issued certificate is good until revoked (revocation is final). */
export const CERTIFICATE_STATUSES = ['good', 'revoked'] as const;
export type TCertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** What the hub records of an issued certificate's subject (the rest is in the certificate). */
export type TCertificateSubject = {
  commonName: string;
  organization?: string;
  organizationIdentifier?: string;
  title?: string;
};

export const KEY_ALGORITHMS = ['rsa2048', 'rsa3072', 'p256'] as const;

/** RFC 5280 §5.3.1 CRLReason codes a revocation may carry (7 unused, 8 removeFromCRL only for deltas). */
export const REVOCATION_REASONS = [0, 1, 2, 3, 4, 5, 6, 9, 10] as const;

const ZValidityDays = z
  .number()
  .int()
  .min(1)
  .max(3 * 365 + 1);

/** What every issuance may choose about the key and the certificate's lifetime. */
const issuance = {
  algorithm: z.enum(KEY_ALGORITHMS).default('rsa2048'),
  validityDays: ZValidityDays.optional(),
};

export const ZSealIssue = z
  .object({
    /** Defaults to the caller's organization; only a hub admin may name another one. */
    orgId: ZObjectId.optional(),
    ...issuance,
  })
  .strict();
export type TSealIssue = z.infer<typeof ZSealIssue>;

export const ZPersonalIssue = z
  .object({
    userId: ZObjectId,
    /** PKCS#10 in PEM: the key stays with the signer (token, device); otherwise the hub makes one. */
    csr: z.string().max(20_000).optional(),
    ...issuance,
  })
  .strict();
export type TPersonalIssue = z.infer<typeof ZPersonalIssue>;

export const ZRevoke = z
  .object({
    reason: z
      .number()
      .int()
      .refine((n) => (REVOCATION_REASONS as readonly number[]).includes(n), {
        message: 'mã lý do thu hồi không hợp lệ (RFC 5280: 0–6, 9, 10)',
      })
      .default(0),
  })
  .strict();
export type TRevoke = z.infer<typeof ZRevoke>;

export const ZCertificateListQuery = z
  .object({
    orgId: ZObjectId.optional(),
    userId: ZObjectId.optional(),
    kind: z.enum(CERTIFICATE_KINDS).optional(),
    status: z.enum(CERTIFICATE_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type TCertificateListQuery = z.infer<typeof ZCertificateListQuery>;

export type TCertificate = {
  id: string;
  serialHex: string;
  kind: TCertificateKind;
  orgId: string | null;
  userId: string | null;
  subject: TCertificateSubject;
  algorithm: string;
  notBefore: string;
  notAfter: string;
  status: TCertificateStatus;
  revokedAt: string | null;
  reason: number | null;
  /** True when the hub holds the (sealed) private key and can sign server-side. */
  keyOnHub: boolean;
  fingerprintSha256: string;
  createdAt: string;
  /** The certificate itself (public), PEM. */
  certificatePem: string;
};

/** /api/v1/certificates: issuance, listing, download and revocation. Never any private key. */
export const certificatesApi = routes('/certificates', {
  list: {
    method: 'GET',
    path: '/',
    roles: [],
    query: ZCertificateListQuery,
    returns: answer<TCertificate[]>(),
  },
  issueSeal: {
    method: 'POST',
    path: '/seal',
    roles: ['hub_admin', 'org_admin'],
    body: ZSealIssue,
    returns: answer<TCertificate>(),
  },
  // any logged-in user may reach it: the holder submits their own CSR; the service decides
  issuePersonal: {
    method: 'POST',
    path: '/personal',
    roles: [],
    body: ZPersonalIssue,
    returns: answer<TCertificate>(),
  },
  get: { method: 'GET', path: '/:id', roles: [], params: ZId, returns: answer<TCertificate>() },
  pem: {
    method: 'GET',
    path: '/:id/certificate.pem',
    roles: [],
    params: ZId,
    returns: text('application/x-pem-file'),
  },
  /** the certificate and its issuers */
  chainPem: {
    method: 'GET',
    path: '/:id/chain.pem',
    roles: [],
    params: ZId,
    returns: text('application/x-pem-file'),
  },
  revoke: {
    method: 'POST',
    path: '/:id/revoke',
    roles: ['hub_admin', 'org_admin'],
    params: ZId,
    body: ZRevoke,
    returns: answer<TCertificate>(),
  },
});

/** A named list of certificates validation trusts (no certificate bytes). */
export type TTrustListSummary = {
  name: string;
  certificates: { role: 'anchor' | 'intermediate'; subject: string; sha256: string }[];
};

/** The /pki endpoints are outside the JSON API, at the hub's root. */
export const PKI_ROOT = '';

/**
 * /pki: public, no login, rate-limited per address. The CA certificates and CRLs named in every
 * certificate the hub issues, its OCSP responder and TSA, and the trust lists. OCSP by GET
 * (RFC 6960 §A.1, `/pki/ocsp/<base64>`) is served beside these, its request being the rest of the
 * path.
 */
export const pkiApi = routes(
  '/pki',
  {
    rootPem: { method: 'GET', path: '/root-ca.pem', returns: text('application/x-pem-file') },
    rootCer: { method: 'GET', path: '/root-ca.cer', returns: bytes('application/pkix-cert') },
    issuingPem: { method: 'GET', path: '/issuing-ca.pem', returns: text('application/x-pem-file') },
    issuingCer: { method: 'GET', path: '/issuing-ca.cer', returns: bytes('application/pkix-cert') },
    /** The issuing CA's CRL. */
    crl: { method: 'GET', path: '/crl', returns: bytes('application/pkix-crl') },
    /** The root's CRL, named by the CRL distribution point of every certificate the root issues. */
    rootCrl: { method: 'GET', path: '/root-ca.crl', returns: bytes('application/pkix-crl') },
    trustLists: {
      method: 'GET',
      path: '/trust-lists',
      returns: answer<{ lists: TTrustListSummary[] }>(),
    },
    ocsp: {
      method: 'POST',
      path: '/ocsp',
      raw: ['application/ocsp-request', 'application/octet-stream'],
      returns: bytes('application/ocsp-response'),
    },
    tsa: {
      method: 'POST',
      path: '/tsa',
      raw: ['application/timestamp-query', 'application/octet-stream'],
      returns: bytes('application/timestamp-reply'),
    },
  },
  PKI_ROOT,
);
