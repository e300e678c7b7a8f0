import { z } from 'zod';
import { ZObjectId, type TRole } from './common.js';
import type { TDocument } from './documents.js';
import { answer, routes, ZId } from './endpoint.js';

export const PADES_LEVELS = ['B-B', 'B-T', 'B-LT', 'B-LTA'] as const;
export const SIGNATURE_KINDS = ['personal', 'seal'] as const;
export type TSignatureKind = (typeof SIGNATURE_KINDS)[number];

/** A PNG in base64, at most ~512 KB once decoded. */
const ZPngBase64 = z
  .string()
  .max(700_000, 'ảnh tối đa 512 KB')
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'ảnh phải là PNG mã hóa base64');

/** A box is given whole or not at all: x, y, width and height together. */
const boxAllOrNone = (a: { x?: number; y?: number; width?: number; height?: number }) =>
  [a.x, a.y, a.width, a.height].every((v) => v === undefined) ||
  [a.x, a.y, a.width, a.height].every((v) => v !== undefined);
const BOX_ALL_OR_NONE = 'x, y, width, height phải cho đủ cả bốn hoặc bỏ trống cả bốn';

/**
 * Where and how the signature shows (Decree 30, DOMAIN.md §2.3):
 * - invisible: no widget on the page;
 * - signer: the leader's signature image between the signer block's title and name (without an
 *   image: "Ký bởi: <name> / <organization> / Thời gian ký: …");
 * - seal: the organization's seal image over the left third of the leader's signature;
 * - copy: no image, number/notation and signing time at the top right of page 1.
 * Without x, y, width, height the hub places it (GET …/signature-placement shows where); with
 * them (page defaults to 1) it must lie inside the page and cover no text, else 422. Coordinates
 * are points from the bottom-left corner of the page as displayed (its rotation applied).
 */
export const ZAppearance = z
  .object({
    mode: z.enum(['invisible', 'signer', 'seal', 'copy']).default('invisible'),
    /** 1-based page number. */
    page: z.number().int().min(1).max(100_000).optional(),
    x: z.number().min(0).max(20_000).optional(),
    y: z.number().min(0).max(20_000).optional(),
    width: z.number().min(10).max(2_000).optional(),
    height: z.number().min(10).max(2_000).optional(),
    /** The signature image (mode signer) or the seal image (mode seal), PNG. */
    image: ZPngBase64.optional(),
    /** Mode seal only: the leader's signature image the seal overlaps. */
    signatureImage: ZPngBase64.optional(),
  })
  .strict()
  .refine(boxAllOrNone, BOX_ALL_OR_NONE);
export type TAppearance = z.infer<typeof ZAppearance>;

const ZOptionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((s) => s.normalize('NFC'))
    .optional();

/** GET /api/v1/documents/:id/signature-placement: where the hub would put an appearance. */
export const ZPlacementQuery = z
  .object({
    mode: z.enum(['signer', 'seal', 'copy']),
    /** Width / height of the image to be shown; absent: the "Ký bởi" text. */
    aspect: z.coerce.number().min(0.05).max(20).optional(),
    /** A position to check instead of proposing one (all four, page defaults to 1). */
    page: z.coerce.number().int().min(1).max(100_000).optional(),
    x: z.coerce.number().min(0).max(20_000).optional(),
    y: z.coerce.number().min(0).max(20_000).optional(),
    width: z.coerce.number().min(10).max(2_000).optional(),
    height: z.coerce.number().min(10).max(2_000).optional(),
  })
  .strict()
  .refine(boxAllOrNone, BOX_ALL_OR_NONE);
export type TPlacementQuery = z.infer<typeof ZPlacementQuery>;

/** A position on a page (1-based), in points from the bottom left of the page as displayed. */
export type TProposedPlacement = {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  pageWidth: number;
  pageHeight: number;
  pageCount: number;
  /** signer-block: in the Decree 30 gap; over-signature: seal over the leader's signature. */
  how: 'signer-block' | 'free-area' | 'explicit' | 'over-signature';
};

/** POST /api/v1/documents/:id/signatures: the hub signs with a key it holds (sealed). */
export const ZSignRequest = z
  .object({
    certificateId: ZObjectId,
    level: z.enum(PADES_LEVELS).default('B-T'),
    kind: z.enum(SIGNATURE_KINDS),
    appearance: ZAppearance.optional(),
    reason: ZOptionalText(200),
    location: ZOptionalText(200),
    /** The caller's password again: fresh proof that the key owner is present. */
    confirmPassword: z.string().min(1, 'cần nhập lại mật khẩu để ký').max(200),
  })
  .strict();
export type TSignRequest = z.infer<typeof ZSignRequest>;

const sessionCommon = {
  /** For a presented certificate; a hub-issued one carries its own kind. */
  kind: z.enum(SIGNATURE_KINDS).optional(),
  level: z.enum(['B-B', 'B-T']).default('B-T'),
  reason: ZOptionalText(200),
  location: ZOptionalText(200),
  appearance: ZAppearance.optional(),
};

/**
 * POST /api/v1/documents/:id/signing-sessions: the key stays on the signer's device; the hub
 * prepares the PDF and returns the digest to sign. Either the certificate itself (PEM, plus the
 * chain up to the root when not issued by the hub) or the id of a hub-issued certificate.
 */
export const ZSigningSessionCreate = z.union([
  z
    .object({
      certificatePem: z.string().min(100).max(20_000),
      chainPem: z.string().max(60_000).optional(),
      algorithm: z.enum(['ECDSA', 'RSA-PSS', 'RSA-PKCS1']).optional(),
      ...sessionCommon,
    })
    .strict(),
  z
    .object({
      certificateId: ZObjectId,
      algorithm: z.enum(['ECDSA', 'RSA-PSS', 'RSA-PKCS1']).optional(),
      ...sessionCommon,
    })
    .strict(),
]);
export type TSigningSessionCreate = z.infer<typeof ZSigningSessionCreate>;

export type TSigningSession = {
  sessionId: string;
  documentId: string;
  /** Hash of the DER signed attributes, base64: what a token's "sign hash" API signs. */
  digest: string;
  digestAlgorithm: string;
  /** The DER signed attributes, base64, for signers that hash themselves (WebCrypto). */
  dataToSign: string;
  algorithm: string;
  expiresAt: string;
};

/** PUT /api/v1/signing-sessions/:id */
export const ZSigningSessionComplete = z
  .object({
    /** base64: ECDSA as DER or raw r||s, or the RSA signature value. */
    signature: z
      .string()
      .min(8)
      .max(4_000)
      .regex(/^[A-Za-z0-9+/_-]+={0,2}$/, 'chữ ký phải mã hóa base64'),
  })
  .strict();
export type TSigningSessionComplete = z.infer<typeof ZSigningSessionComplete>;

const SIGNERS: TRole[] = ['signer', 'clerk'];

/** Mounted under /api/v1/documents, next to the documents module's own routes. */
export const signingApi = routes('/documents', {
  sign: {
    method: 'POST',
    path: '/:id/signatures',
    roles: SIGNERS,
    params: ZId,
    body: ZSignRequest,
    returns: answer<TDocument>(),
  },
  placement: {
    method: 'GET',
    path: '/:id/signature-placement',
    roles: SIGNERS,
    params: ZId,
    query: ZPlacementQuery,
    returns: answer<TProposedPlacement>(),
  },
  openSession: {
    method: 'POST',
    path: '/:id/signing-sessions',
    roles: SIGNERS,
    params: ZId,
    body: ZSigningSessionCreate,
    returns: answer<TSigningSession>(),
  },
  completeSession: {
    method: 'PUT',
    base: '/signing-sessions',
    path: '/:id',
    roles: SIGNERS,
    params: ZId,
    body: ZSigningSessionComplete,
    returns: answer<TDocument>(),
  },
});
