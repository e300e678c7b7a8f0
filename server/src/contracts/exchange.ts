import { z } from 'zod';
import { ZCursorQuery, ZObjectId, type Page, type TRole } from './common.js';
import { ZUrgency, type TUrgency } from './documents.js';
import { answer, routes, ZId } from './endpoint.js';
import { STATUS, STATUS_CODES, type EdxmlStatusCode } from './status-codes.js';

/** edXML status codes (QCVN 102, DOMAIN.md §1.6), by what they mean (status-codes.ts). */
export { STATUS, STATUS_CODES } from './status-codes.js';
export type TStatusCode = EdxmlStatusCode;

/** The processing statuses a recipient moves a delivery to (13/15/16 live in `change`). */
export type TProcessingMove =
  | typeof STATUS.REJECTED
  | typeof STATUS.ACCEPTED
  | typeof STATUS.ASSIGNED
  | typeof STATUS.PROCESSING
  | typeof STATUS.COMPLETED;

/**
 * The delivery lifecycle: which processing status a recipient may move to, from which, and who
 * may do it.
 */
export const TRANSITIONS: Record<TProcessingMove, { from: TStatusCode[]; roles: TRole[] }> = {
  [STATUS.REJECTED]: { from: [STATUS.ARRIVED], roles: ['clerk', 'org_admin', 'enterprise_user'] },
  [STATUS.ACCEPTED]: { from: [STATUS.ARRIVED], roles: ['clerk', 'org_admin', 'enterprise_user'] },
  [STATUS.ASSIGNED]: { from: [STATUS.ACCEPTED], roles: ['signer', 'org_admin', 'clerk'] },
  [STATUS.PROCESSING]: {
    from: [STATUS.ACCEPTED, STATUS.ASSIGNED],
    roles: ['signer', 'org_admin', 'clerk', 'enterprise_user'],
  },
  [STATUS.COMPLETED]: {
    from: [STATUS.PROCESSING],
    roles: ['signer', 'org_admin', 'clerk', 'enterprise_user'],
  },
};

/** Roles that answer a recall or update (15 agree / 16 refuse) for the recipient organization. */
export const CHANGE_ANSWER_ROLES: TRole[] = ['clerk', 'org_admin', 'enterprise_user'];

/** Roles that send, recall and update on behalf of the sender organization. */
export const SENDER_ROLES: TRole[] = ['clerk', 'org_admin'];

/** Roles that read an organization's incoming deliveries. */
export const RECIPIENT_ROLES: TRole[] = [
  'clerk',
  'org_admin',
  'signer',
  'enterprise_user',
  'auditor',
];

/** A delivery in one of these is closed: it is never overdue. */
export const CLOSED: TStatusCode[] = [STATUS.REJECTED, STATUS.COMPLETED];

/** The sender's change request as the status that stands for it in the history. */
export const CHANGE_STATUS = {
  requested: STATUS.RECALLED,
  agreed: STATUS.CHANGE_AGREED,
  refused: STATUS.CHANGE_REFUSED,
} as const;

/**
 * The codes a recipient may send next for a delivery (the hub checks again): the processing moves
 * from its status, and the answers to a pending change. With `roles`, only those they allow.
 */
export function nextActions(
  d: { status: TStatusCode; change: { state: string } | null },
  roles?: readonly TRole[],
): TStatusCode[] {
  const allowed = (may: readonly TRole[]) => !roles || roles.some((r) => may.includes(r));
  const moves = (Object.keys(TRANSITIONS) as TProcessingMove[]).filter(
    (code) => TRANSITIONS[code].from.includes(d.status) && allowed(TRANSITIONS[code].roles),
  );
  const answers =
    d.change?.state === 'requested' && allowed(CHANGE_ANSWER_ROLES)
      ? [STATUS.CHANGE_AGREED, STATUS.CHANGE_REFUSED]
      : [];

  return [...moves, ...answers];
}

export const STATUS_LABELS: Record<TStatusCode, { vi: string; en: string }> = {
  [STATUS.ARRIVED]: { vi: 'Đã đến', en: 'Arrived' },
  [STATUS.REJECTED]: { vi: 'Từ chối', en: 'Rejected' },
  [STATUS.ACCEPTED]: { vi: 'Đã tiếp nhận', en: 'Accepted' },
  [STATUS.ASSIGNED]: { vi: 'Phân công', en: 'Assigned' },
  [STATUS.PROCESSING]: { vi: 'Đang xử lý', en: 'Processing' },
  [STATUS.COMPLETED]: { vi: 'Hoàn thành', en: 'Completed' },
  [STATUS.RECALLED]: { vi: 'Thu hồi', en: 'Recalled' },
  [STATUS.CHANGE_AGREED]: { vi: 'Đồng ý thu hồi/cập nhật', en: 'Change accepted' },
  [STATUS.CHANGE_REFUSED]: { vi: 'Từ chối thu hồi/cập nhật', en: 'Change refused' },
};

/** A day as the exchange has always checked it (its refusal names no format). */
const ZDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const ZInstantOrDay = z.string().datetime({ offset: true }).or(ZDay);

/** A reason given for a refusal, a recall or a change: a few words at least. */
export const ZReason = z.string().trim().min(3).max(1000);
const ZNote = z.string().max(1000).optional();

export const ZDispatchCreate = z
  .object({
    documentId: ZObjectId,
    /** Defaults to the document's current version. */
    versionId: ZObjectId.optional(),
    recipients: z.array(ZObjectId).min(1).max(1000),
    /** Due date for handling (hạn xử lý), YYYY-MM-DD; defaults to the document's. */
    dueDate: ZDay.optional(),
    note: ZNote,
  })
  .strict();
export type TDispatchCreate = z.infer<typeof ZDispatchCreate>;

/** What a recipient (or the sender, for 13) may do to a delivery. */
export const ZStatusChange = z.discriminatedUnion('code', [
  z.object({ code: z.literal(STATUS.REJECTED), reason: ZReason }).strict(),
  z.object({ code: z.literal(STATUS.ACCEPTED) }).strict(),
  z.object({ code: z.literal(STATUS.ASSIGNED), assigneeId: ZObjectId, note: ZNote }).strict(),
  z.object({ code: z.literal(STATUS.PROCESSING), note: ZNote }).strict(),
  z.object({ code: z.literal(STATUS.COMPLETED), note: ZNote }).strict(),
  z.object({ code: z.literal(STATUS.CHANGE_AGREED), note: ZNote }).strict(),
  z.object({ code: z.literal(STATUS.CHANGE_REFUSED), reason: ZReason }).strict(),
]);
export type TStatusChange = z.infer<typeof ZStatusChange>;

export const ZRecall = z.object({ reason: ZReason }).strict();

export const ZDispatchUpdate = z
  .object({
    versionId: ZObjectId,
    reason: ZReason,
    replace: z.boolean().default(false),
  })
  .strict();

export type TReceipt = {
  /** Compact JWS (ES256) over the canonical receipt, by the recipient organization's receipt key. */
  jws: string;
  keyId: string;
};

export type THistoryEntry = {
  code: TStatusCode;
  at: string;
  actorId: string;
  actorName: string;
  orgId: string;
  reason?: string;
  note?: string;
  assigneeId?: string;
  receipt: TReceipt;
};

export type TDelivery = {
  id: string;
  dispatchId: string;
  documentId: string;
  versionId: string;
  senderOrgId: string;
  senderName: string;
  recipientOrgId: string;
  recipientName: string;
  status: TStatusCode;
  subject: string;
  codeLabel: string;
  urgency: TUrgency;
  dueDate: string | null;
  overdue: boolean;
  change: {
    kind: 'recall' | 'update';
    state: 'requested' | 'agreed' | 'refused';
    reason?: string;
  } | null;
  history: THistoryEntry[];
  createdAt: string;
  updatedAt: string;
};

/**
 * A delivery as a notification or a just-sent dispatch tells it: everything but the history,
 * whose receipts `GET /deliveries/:id` and `/deliveries/:id/receipts` serve. A new delivery's
 * history is always the one 01 arrival, so the brief form leaves out nothing a client lacks.
 */
export type TDeliveryBrief = Omit<TDelivery, 'history'>;

export type TDispatch = {
  id: string;
  orgId: string;
  documentId: string;
  versionId: string;
  recipients: string[];
  createdAt: string;
  createdBy: string;
  recalled: boolean;
  deliveries?: TDelivery[];
  summary: Partial<Record<TStatusCode, number>>;
};

/** The answer to `POST /dispatches` (and to its retries): the dispatch and its brief deliveries. */
export type TDispatchSent = Omit<TDispatch, 'deliveries'> & { deliveries: TDeliveryBrief[] };

export const ZInboxQuery = ZCursorQuery.extend({
  status: z.enum(STATUS_CODES).optional(),
  urgency: ZUrgency.optional(),
  sender: ZObjectId.optional(),
  from: ZInstantOrDay.optional(),
  to: ZInstantOrDay.optional(),
  q: z.string().max(200).optional(),
  overdue: z.enum(['true', 'false']).optional(),
}).strict();
export type TInboxQuery = z.infer<typeof ZInboxQuery>;

/** A receipt of the history, checked against the recipient organization's receipt key. */
export type TReceiptCheck = Pick<THistoryEntry, 'code' | 'at'> &
  TReceipt & {
    valid: boolean;
    claims: { versionSha256: string; [claim: string]: unknown } | null;
  };

export const exchangeApi = routes('', {
  dispatch: {
    method: 'POST',
    path: '/dispatches',
    roles: SENDER_ROLES,
    body: ZDispatchCreate,
    returns: answer<TDispatchSent>(),
  },
  dispatchOf: {
    method: 'GET',
    path: '/dispatches/:id',
    roles: [...SENDER_ROLES, 'auditor'],
    params: ZId,
    returns: answer<TDispatch>(),
  },
  recall: {
    method: 'POST',
    path: '/dispatches/:id/recall',
    roles: SENDER_ROLES,
    params: ZId,
    body: ZRecall,
    returns: answer<TDispatch>(),
  },
  update: {
    method: 'POST',
    path: '/dispatches/:id/update',
    roles: SENDER_ROLES,
    params: ZId,
    body: ZDispatchUpdate,
    returns: answer<TDispatch>(),
  },
  outbox: {
    method: 'GET',
    path: '/outbox',
    roles: [...SENDER_ROLES, 'signer'],
    query: ZCursorQuery,
    returns: answer<Page<TDispatch>>(),
  },
  inbox: {
    method: 'GET',
    path: '/inbox',
    roles: RECIPIENT_ROLES,
    query: ZInboxQuery,
    returns: answer<Page<TDelivery>>(),
  },
  delivery: {
    method: 'GET',
    path: '/deliveries/:id',
    roles: [],
    params: ZId,
    returns: answer<TDelivery>(),
  },
  changeStatus: {
    method: 'POST',
    path: '/deliveries/:id/status',
    roles: [],
    params: ZId,
    body: ZStatusChange,
    returns: answer<TDelivery>(),
  },
  receipts: {
    method: 'GET',
    path: '/deliveries/:id/receipts',
    roles: [],
    params: ZId,
    returns: answer<TReceiptCheck[]>(),
  },
  // read-only: the sender's organization and auditors see every recipient of the document (an
  // auditor has no outbox to find its dispatches through); a recipient reads its own delivery
  ofDocument: {
    method: 'GET',
    base: '/documents',
    path: '/:id/deliveries',
    roles: [],
    params: ZId,
    returns: answer<TDelivery[]>(),
  },
  receiptKey: {
    method: 'GET',
    path: '/receipt-keys/:kid',
    params: z.object({ kid: z.string().regex(/^[\w-]{20,100}$/) }).strict(),
    returns: answer<{ kid: string; jwk: Record<string, unknown> }>(),
  },
});
