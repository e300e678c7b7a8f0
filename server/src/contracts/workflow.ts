import { z } from 'zod';
import { ZIdPage, ZObjectId, type Page, type TRole } from './common.js';
import { UPLOADERS, ZDocumentMeta, ZDocumentType, ZUrgency, type TDocument } from './documents.js';
import { answer, routes, ZId } from './endpoint.js';

import type { TWorkflowAction, TWorkflowState } from './workflow-state.js';

export * from './workflow-state.js';

/** The metadata of a draft: no number yet, it is issued at release. */
export const ZDraftMeta = ZDocumentMeta.omit({ number: true }).strict();
export type TDraftMeta = z.infer<typeof ZDraftMeta>;

/** PATCH of a draft's metadata: any field, the signer block included. */
export const ZDraftPatch = ZDocumentMeta.omit({ number: true })
  .partial()
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'không có trường nào để sửa');
export type TDraftPatch = z.infer<typeof ZDraftPatch>;

export const ZSubmit = z.object({ signerId: ZObjectId }).strict();
export const ZReturn = z
  .object({
    comment: z
      .string()
      .trim()
      .min(1, 'cần ghi lý do trả lại')
      .max(2000)
      .transform((s) => s.normalize('NFC')),
  })
  .strict();

const ZIsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày theo dạng YYYY-MM-DD');

/** Cấp số: the next number of the register and year, or one given (numbered elsewhere). */
export const ZIssueNumber = z
  .object({
    number: z.number().int().min(1).max(99_999_999).optional(),
    /** The issue date written on the document; today (Vietnam time) when omitted. */
    issueDate: ZIsoDate.optional(),
  })
  .strict();
export type TIssueNumber = z.infer<typeof ZIssueNumber>;

export const WORKFLOW_LISTS = ['drafts', 'to-sign', 'to-release'] as const;
export type TWorkflowList = (typeof WORKFLOW_LISTS)[number];

export const ZWorkflowListParams = z.object({ list: z.enum(WORKFLOW_LISTS) }).strict();
export const ZWorkflowListQuery = z
  .object({
    type: ZDocumentType.optional(),
    urgency: ZUrgency.optional(),
    from: ZIsoDate.optional(),
    to: ZIsoDate.optional(),
    q: z.string().trim().max(200).optional(),
    ...ZIdPage.shape,
  })
  .strict();
export type TWorkflowListQuery = z.infer<typeof ZWorkflowListQuery>;

/** The menu's counts for the caller. */
export type TWorkflowCounts = Record<TWorkflowList, number>;

/** A signer account of the organization, to pick whom a draft is submitted to. */
export type TSignerOption = { id: string; fullName: string; title?: string };

/** Unsigned dispatch: refused unless the organization allows it. */
export const UNSIGNED_DISPATCH = ['refuse', 'allow'] as const;
export const ZWorkflowPolicy = z.object({ unsignedDispatch: z.enum(UNSIGNED_DISPATCH) }).strict();
export type TWorkflowPolicy = z.infer<typeof ZWorkflowPolicy>;
/**
 * GET: `stored` false = the organization never chose; then workflow documents are held to
 * "refuse" and directly registered ones are not checked (they predate the rule).
 */
export type TWorkflowPolicyRead = TWorkflowPolicy & { stored: boolean };

/** Images of record: a signer's signature, an organization's seal (PNG, base64). */
export const ZRecordImage = z
  .object({
    png: z
      .string()
      .max(700_000, 'ảnh tối đa 512 KB')
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'ảnh phải là PNG mã hóa base64'),
  })
  .strict();
export type TRecordImage = { png: string; sha256: string; updatedAt: string };

/** Socket.IO `workflow:changed`: to the organization; `to` names the people it concerns. */
export type TWorkflowEvent = {
  documentId: string;
  action: TWorkflowAction;
  state: TWorkflowState;
  subject: string;
  codeLabel: string;
  by: string;
  byName: string;
  to: string[];
  comment?: string;
};

const DRAFTERS: TRole[] = UPLOADERS;

/** Trình ký, mounted under /api/v1/workflow. */
export const workflowApi = routes('/workflow', {
  /** multipart/form-data: a `file` part (the PDF) and a `meta` part (JSON, ZDraftMeta) */
  createDraft: { method: 'POST', path: '/drafts', roles: DRAFTERS, returns: answer<TDocument>() },
  editDraft: {
    method: 'PATCH',
    path: '/drafts/:id',
    roles: DRAFTERS,
    params: ZId,
    body: ZDraftPatch,
    returns: answer<TDocument>(),
  },
  /** multipart/form-data: a `file` part */
  replaceFile: {
    method: 'PUT',
    path: '/drafts/:id/file',
    roles: DRAFTERS,
    params: ZId,
    returns: answer<TDocument>(),
  },
  deleteDraft: {
    method: 'DELETE',
    path: '/drafts/:id',
    roles: DRAFTERS,
    params: ZId,
    returns: answer<void>(),
  },
  submit: {
    method: 'POST',
    path: '/documents/:id/submit',
    roles: DRAFTERS,
    params: ZId,
    body: ZSubmit,
    returns: answer<TDocument>(),
  },
  return: {
    method: 'POST',
    path: '/documents/:id/return',
    roles: ['signer'],
    params: ZId,
    body: ZReturn,
    returns: answer<TDocument>(),
  },
  number: {
    method: 'POST',
    path: '/documents/:id/number',
    roles: ['clerk'],
    params: ZId,
    body: ZIssueNumber,
    returns: answer<TDocument>(),
  },
  list: {
    method: 'GET',
    path: '/lists/:list',
    roles: [],
    params: ZWorkflowListParams,
    query: ZWorkflowListQuery,
    returns: answer<Page<TDocument>>(),
  },
  counts: { method: 'GET', path: '/counts', roles: [], returns: answer<TWorkflowCounts>() },
  signers: {
    method: 'GET',
    path: '/signers',
    roles: DRAFTERS,
    returns: answer<TSignerOption[]>(),
  },
  policy: { method: 'GET', path: '/policy', roles: [], returns: answer<TWorkflowPolicyRead>() },
  setPolicy: {
    method: 'PUT',
    path: '/policy',
    roles: ['org_admin'],
    body: ZWorkflowPolicy,
    returns: answer<TWorkflowPolicy>(),
  },
  seal: { method: 'GET', path: '/images/seal', roles: [], returns: answer<TRecordImage>() },
  setSeal: {
    method: 'PUT',
    path: '/images/seal',
    roles: ['org_admin'],
    body: ZRecordImage,
    returns: answer<TRecordImage>(),
  },
  signature: {
    method: 'GET',
    path: '/images/signature',
    roles: [],
    returns: answer<TRecordImage>(),
  },
  signatureOf: {
    method: 'GET',
    path: '/images/signature/:userId',
    roles: [],
    params: z.object({ userId: ZObjectId }).strict(),
    returns: answer<TRecordImage>(),
  },
  setSignature: {
    method: 'PUT',
    path: '/images/signature',
    roles: ['signer'],
    body: ZRecordImage,
    returns: answer<TRecordImage>(),
  },
});
