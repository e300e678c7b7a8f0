import { z } from 'zod';
import { maxLengthOf, ZIdPage, ZIsoDate, ZText, type Page, type TRole } from './common.js';
import { answer, bytes, routes, ZId } from './endpoint.js';
import type { TWorkflowInfo } from './workflow-state.js';

/** Decree 30/2020, Phụ lục III: document types and their abbreviations. */
export const DOCUMENT_TYPES = {
  'Nghị quyết': 'NQ',
  'Quyết định': 'QĐ',
  'Chỉ thị': 'CT',
  'Quy chế': 'QC',
  'Quy định': 'QyĐ',
  'Thông cáo': 'TC',
  'Thông báo': 'TB',
  'Hướng dẫn': 'HD',
  'Chương trình': 'CTr',
  'Kế hoạch': 'KH',
  'Phương án': 'PA',
  'Đề án': 'ĐA',
  'Dự án': 'DA',
  'Báo cáo': 'BC',
  'Biên bản': 'BB',
  'Tờ trình': 'TTr',
  'Hợp đồng': 'HĐ',
  'Công điện': 'CĐ',
  'Bản ghi nhớ': 'BGN',
  'Bản thỏa thuận': 'BTT',
  'Giấy ủy quyền': 'GUQ',
  'Giấy mời': 'GM',
  'Giấy giới thiệu': 'GGT',
  'Giấy nghỉ phép': 'GNP',
  'Phiếu gửi': 'PG',
  'Phiếu chuyển': 'PC',
  'Phiếu báo': 'PB',
  'Công văn': '',
  'Bản sao y': 'SY',
  'Bản trích sao': 'TrS',
  'Bản sao lục': 'SL',
} as const;
export type TDocumentType = keyof typeof DOCUMENT_TYPES;
export const ZDocumentType = z.enum(
  Object.keys(DOCUMENT_TYPES) as [TDocumentType, ...TDocumentType[]],
);

/** Urgency (độ khẩn), with edXML Priority 0–3. */
export const URGENCIES = ['thuong', 'khan', 'thuong_khan', 'hoa_toc'] as const;
export const ZUrgency = z.enum(URGENCIES);
export type TUrgency = z.infer<typeof ZUrgency>;
export const URGENCY_LABELS: Record<TUrgency, string> = {
  thuong: 'Thường',
  khan: 'Khẩn',
  thuong_khan: 'Thượng khẩn',
  hoa_toc: 'Hỏa tốc',
};

/** Confidentiality (độ mật). */
export const CONFIDENTIALITIES = ['thuong', 'mat', 'toi_mat', 'tuyet_mat'] as const;
export const ZConfidentiality = z.enum(CONFIDENTIALITIES);

/** Decree 30 metadata of an outgoing document (Phụ lục VI). */
export const ZDocumentMeta = z
  .object({
    type: ZDocumentType,
    /** Số (CodeNumber); assigned by the hub when omitted. */
    number: z.coerce.number().int().min(1).max(99_999_999).optional(),
    /** Ký hiệu (CodeNotation), e.g. "UBND-VP" in 123/UBND-VP. */
    notation: z
      .string()
      .trim()
      .min(1)
      .max(30)
      .transform((s) => s.normalize('NFC'))
      .refine(
        (s) => /^[\p{L}\p{N}.-]+$/u.test(s),
        'ký hiệu chỉ gồm chữ, số, dấu chấm và gạch ngang',
      ),
    /** Sổ văn bản đi; numbers restart every year per register. */
    register: z.string().trim().max(50).default('chung'),
    issuePlace: ZText(100),
    issueDate: ZIsoDate,
    subject: ZText(500),
    urgency: ZUrgency.default('thuong'),
    confidentiality: ZConfidentiality.default('thuong'),
    signer: z
      .object({
        fullName: ZText(50),
        position: ZText(100),
        competence: z.string().max(20).optional(),
      })
      .strict(),
    dueDate: ZIsoDate.optional(),
    pageCount: z.coerce.number().int().min(1).max(100_000).optional(),
    description: z.string().max(2000).optional(),
  })
  .strict();
export type TDocumentMeta = z.infer<typeof ZDocumentMeta>;

const META = ZDocumentMeta.shape;
/** The metadata's length limits, as forms show them (the schema stays the last word). */
export const META_MAX_LENGTH = {
  notation: maxLengthOf(META.notation),
  issuePlace: maxLengthOf(META.issuePlace),
  subject: maxLengthOf(META.subject),
  signerName: maxLengthOf(META.signer.shape.fullName),
  signerPosition: maxLengthOf(META.signer.shape.position),
  description: maxLengthOf(META.description),
};

/** A version's signature: a person's, an organization's seal, or a document time-stamp. */
export const SIGNATURE_INFO_KINDS = ['personal', 'seal', 'timestamp'] as const;

export type TSignatureInfo = {
  signer: string;
  organization?: string;
  kind: (typeof SIGNATURE_INFO_KINDS)[number];
  level: string;
  signedAt: string;
  certificateSerial?: string;
};

/** Why a version was added. */
export const VERSION_REASONS = ['upload', 'signature', 'replacement'] as const;

export type TDocumentVersion = {
  id: string;
  index: number;
  fileId: string;
  fileName: string;
  size: number;
  sha256: string;
  createdAt: string;
  createdBy: string;
  reason: (typeof VERSION_REASONS)[number];
  signature?: TSignatureInfo;
};

/**
 * Who a document is shown to. The owner organization and auditors see all of it; a recipient
 * sees the document as it was delivered to its organization: only the versions delivered to it
 * (`currentVersionId` the one its delivery is at), numbered 1… among themselves, status
 * `dispatched`, and never the hub's list of the other recipients (the "Nơi nhận" block printed
 * in the PDF is the sender's to show; organization ids on the hub are not).
 */
export type TDocumentView = 'owner' | 'recipient' | 'auditor';

type TDocumentCommon = {
  id: string;
  orgId: string;
  /** `number` is absent while a draft of the internal workflow awaits its number (release). */
  meta: TDocumentMeta;
  /** "123/UBND-VP"; "…/UBND-VP" before the number is issued */
  codeLabel: string;
  versions: TDocumentVersion[];
  currentVersionId: string;
  createdAt: string;
  createdBy: string;
  status: 'draft' | 'signed' | 'dispatched' | 'recalled';
  duplicateWarning?: string;
  updatedAt?: string;
};

/** The owner organization's and an auditor's view. */
export type TOwnerDocument = TDocumentCommon & {
  view: 'owner' | 'auditor';
  /** Organizations the document was sent to (filled by the exchange module). */
  sharedWith: string[];
  /** Trình ký: present on documents drafted in the internal workflow. */
  workflow?: TWorkflowInfo;
};

/** A recipient organization's view: what was delivered to it, no list of the other recipients. */
export type TRecipientDocument = TDocumentCommon & { view: 'recipient'; sharedWith?: never };

export type TDocument = TOwnerDocument | TRecipientDocument;

export const DOCUMENT_STATUSES = ['draft', 'signed', 'dispatched', 'recalled'] as const;
export type TDocumentStatus = (typeof DOCUMENT_STATUSES)[number];

/** GET /api/v1/documents: filters of the caller's organization's documents. */
export const ZDocumentListQuery = z
  .object({
    status: z.enum(DOCUMENT_STATUSES).optional(),
    type: ZDocumentType.optional(),
    urgency: ZUrgency.optional(),
    /** Issue date range, inclusive. */
    from: ZIsoDate.optional(),
    to: ZIsoDate.optional(),
    /** Searched in subject and number/notation, ignoring diacritics and case. */
    q: z.string().trim().max(200).optional(),
    /** Only auditors and hub admins may look at another organization's documents. */
    orgId: z
      .string()
      .regex(/^[0-9a-f]{24}$/)
      .optional(),
    ...ZIdPage.shape,
  })
  .strict();
export type TDocumentListQuery = z.infer<typeof ZDocumentListQuery>;

/** Who may upload a document (or draft one in the workflow). */
export const UPLOADERS: TRole[] = ['clerk', 'org_admin', 'signer'];

export const ZVersionParams = ZId.extend({ versionId: ZId.shape.id }).strict();

export const documentsApi = routes('/documents', {
  /** multipart/form-data: a `file` part (the PDF) and a `meta` part (JSON, ZDocumentMeta) */
  upload: { method: 'POST', path: '/', roles: UPLOADERS, returns: answer<TDocument>() },
  list: {
    method: 'GET',
    path: '/',
    roles: [],
    query: ZDocumentListQuery,
    returns: answer<Page<TDocument>>(),
  },
  get: { method: 'GET', path: '/:id', roles: [], params: ZId, returns: answer<TDocument>() },
  /** with an ETag (the version's SHA-256) */
  file: {
    method: 'GET',
    path: '/:id/versions/:versionId/file',
    roles: [],
    params: ZVersionParams,
    returns: bytes('application/pdf'),
  },
});
