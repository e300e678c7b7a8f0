/**
 * Validation report (ETSI EN 319 102-1 / EU DSS vocabulary), shared by the library, the HTTP API
 * and the web client. Dates are ISO 8601 strings so that the report is plain JSON.
 */
import { z } from 'zod';
import { ZObjectId } from './common.js';
import { answer, routes, ZId } from './endpoint.js';

export const ZIndication = z.enum(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE']);
export type TIndication = z.infer<typeof ZIndication>;

export const ZSubIndication = z.enum([
  // TOTAL_FAILED
  'FORMAT_FAILURE',
  'HASH_FAILURE',
  'SIG_CRYPTO_FAILURE',
  'REVOKED',
  'EXPIRED',
  'NOT_YET_VALID',
  // INDETERMINATE
  'SIG_CONSTRAINTS_FAILURE',
  'CHAIN_CONSTRAINTS_FAILURE',
  'CERTIFICATE_CHAIN_GENERAL_FAILURE',
  'CRYPTO_CONSTRAINTS_FAILURE',
  'NO_SIGNING_CERTIFICATE_FOUND',
  'NO_CERTIFICATE_CHAIN_FOUND',
  'REVOKED_NO_POE',
  'REVOKED_CA_NO_POE',
  'OUT_OF_BOUNDS_NO_POE',
  'OUT_OF_BOUNDS_NOT_REVOKED',
  'TRY_LATER',
  'SIGNED_DATA_NOT_FOUND',
  'TIMESTAMP_ORDER_FAILURE',
]);
export type TSubIndication = z.infer<typeof ZSubIndication>;

export const ZMessage = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning', 'info']),
  vi: z.string(),
  en: z.string(),
});
export type TMessage = z.infer<typeof ZMessage>;

export const ZLevel = z.enum([
  'PAdES-BASELINE-B',
  'PAdES-BASELINE-T',
  'PAdES-BASELINE-LT',
  'PAdES-BASELINE-LTA',
  'PDF_NOT_ETSI',
]);
export type TLevel = z.infer<typeof ZLevel>;

export const ZAttack = z.enum([
  'SHADOW_HIDE',
  'SHADOW_REPLACE',
  'SHADOW_HIDE_AND_REPLACE',
  'INCREMENTAL_SAVING',
]);

export const ZModification = z.object({
  objectNumber: z.number().int().nullable(),
  generation: z.number().int().nullable(),
  change: z.enum(['added', 'changed', 'appended-bytes']),
  /** Role of the object in the final revision: page-content, font, xobject, annotation, page, pages-tree, catalog, … */
  kind: z.string(),
  /** 1-based page number when the object belongs to a page. */
  page: z.number().int().nullable(),
  /** 1-based revision that introduced the change. */
  revision: z.number().int().nullable(),
  allowed: z.boolean(),
  attack: ZAttack.nullable(),
  detail: z.string(),
});
export type TModification = z.infer<typeof ZModification>;

export const ZSigner = z.object({
  commonName: z.string().nullable(),
  organization: z.string().nullable(),
  organizationIdentifier: z.string().nullable(),
  serial: z.string(),
  issuer: z.string(),
  subject: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
});
export type TSigner = z.infer<typeof ZSigner>;

export const ZChainElement = z.object({
  subject: z.string(),
  serial: z.string(),
  trustAnchor: z.boolean(),
  /** On the anchor: the trust list that holds it (national-vgca, national-neac, hub, extra). */
  trustList: z.string().nullable(),
  revocation: z
    .object({
      status: z.enum(['good', 'revoked', 'unknown']),
      source: z.enum(['DSS', 'CMS', 'ONLINE']),
      type: z.enum(['OCSP', 'CRL']),
      revokedAt: z.string().nullable(),
      reason: z.string().nullable(),
    })
    .nullable(),
});

export const ZTimestampInfo = z.object({
  genTime: z.string(),
  tsa: z.string().nullable(),
  valid: z.boolean(),
});

export const ZSignatureReport = z.object({
  fieldName: z.string(),
  type: z.enum(['SIGNATURE', 'DOC_TIMESTAMP']),
  subFilter: z.string().nullable(),
  indication: ZIndication,
  subIndication: ZSubIndication.nullable(),
  signer: ZSigner.nullable(),
  /** /M of the signature dictionary: what the signer's software claims. */
  claimedTime: z.string().nullable(),
  /** genTime of a valid signature time-stamp (or of the document time-stamp itself). */
  provenTime: z.string().nullable(),
  reason: z.string().nullable(),
  name: z.string().nullable(),
  level: ZLevel.nullable(),
  digestAlgorithm: z.string().nullable(),
  signatureAlgorithm: z.string().nullable(),
  byteRange: z.array(z.number()),
  coveredRevision: z.number().int().nullable(),
  totalRevisions: z.number().int(),
  coversWholeDocument: z.boolean(),
  chain: z.array(ZChainElement),
  /** The trust list that anchored the chain, null when the chain is not trusted. */
  trustList: z.string().nullable(),
  timestamp: ZTimestampInfo.nullable(),
  modifications: z.array(ZModification),
  warnings: z.array(ZMessage),
  messages: z.array(ZMessage),
});
export type TSignatureReport = z.infer<typeof ZSignatureReport>;

export const ZValidationReport = z.object({
  validatedAt: z.string(),
  policy: z.string(),
  document: z.object({
    sizeBytes: z.number().int(),
    sha256: z.string(),
    totalRevisions: z.number().int(),
    signatureCount: z.number().int(),
    timestampCount: z.number().int(),
    passed: z.number().int(),
    failed: z.number().int(),
    indeterminate: z.number().int(),
    /** True only when there is at least one signature and every one is TOTAL_PASSED. */
    allValid: z.boolean(),
    messages: z.array(ZMessage),
  }),
  signatures: z.array(ZSignatureReport),
});
export type TValidationReport = z.infer<typeof ZValidationReport>;

/** The library's report plus the language it is presented in and a readable summary. */
export const ZValidationResponse = ZValidationReport.extend({
  lang: z.enum(['vi', 'en']),
  /** The report as text in `lang` (same text as the `verify` CLI). */
  summary: z.string(),
  /** True when a stored version's report came from the cache. */
  cached: z.boolean(),
  versionId: z.string().optional(),
});
export type TValidationResponse = z.infer<typeof ZValidationResponse>;

export const ZDocumentValidationQuery = z
  .object({
    /** A version of the document; the current version when omitted. */
    versionId: ZObjectId.optional(),
  })
  .strict();

/** A PDF as application/pdf, or a multipart/form-data part `file`. */
export const validationApi = routes('/validations', {
  /** any logged-in caller */
  upload: { method: 'POST', path: '/', returns: answer<TValidationResponse>() },
  /** anyone, rate-limited per address */
  publicUpload: {
    method: 'POST',
    base: '/public/validations',
    path: '/',
    returns: answer<TValidationResponse>(),
  },
  /** a stored version the caller may read */
  document: {
    method: 'GET',
    base: '/documents',
    path: '/:id/validation',
    roles: [],
    params: ZId,
    query: ZDocumentValidationQuery,
    returns: answer<TValidationResponse>(),
  },
});
