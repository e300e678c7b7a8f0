import { z } from 'zod';
import { ZCursorQuery, ZObjectId } from './common.js';
import { ZUrgency, type TUrgency } from './documents.js';

/** edXML status codes (QCVN 102, DOMAIN.md §1.6). */
export const STATUS_CODES = ['01', '02', '03', '04', '05', '06', '13', '15', '16'] as const;
export type TStatusCode = (typeof STATUS_CODES)[number];

export const STATUS_LABELS: Record<TStatusCode, { vi: string; en: string }> = {
  '01': { vi: 'Đã đến', en: 'Arrived' },
  '02': { vi: 'Từ chối', en: 'Rejected' },
  '03': { vi: 'Đã tiếp nhận', en: 'Accepted' },
  '04': { vi: 'Phân công', en: 'Assigned' },
  '05': { vi: 'Đang xử lý', en: 'Processing' },
  '06': { vi: 'Hoàn thành', en: 'Completed' },
  '13': { vi: 'Thu hồi', en: 'Recalled' },
  '15': { vi: 'Đồng ý thu hồi/cập nhật', en: 'Change accepted' },
  '16': { vi: 'Từ chối thu hồi/cập nhật', en: 'Change refused' },
};

export const ZDispatchCreate = z
  .object({
    documentId: ZObjectId,
    /** Defaults to the document's current version. */
    versionId: ZObjectId.optional(),
    recipients: z.array(ZObjectId).min(1).max(1000),
    /** Due date for handling (hạn xử lý), YYYY-MM-DD; defaults to the document's. */
    dueDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    note: z.string().max(1000).optional(),
  })
  .strict();
export type TDispatchCreate = z.infer<typeof ZDispatchCreate>;

/** What a recipient (or the sender, for 13) may do to a delivery. */
export const ZStatusChange = z.discriminatedUnion('code', [
  z.object({ code: z.literal('02'), reason: z.string().trim().min(3).max(1000) }).strict(),
  z.object({ code: z.literal('03') }).strict(),
  z
    .object({ code: z.literal('04'), assigneeId: ZObjectId, note: z.string().max(1000).optional() })
    .strict(),
  z.object({ code: z.literal('05'), note: z.string().max(1000).optional() }).strict(),
  z.object({ code: z.literal('06'), note: z.string().max(1000).optional() }).strict(),
  z.object({ code: z.literal('15'), note: z.string().max(1000).optional() }).strict(),
  z.object({ code: z.literal('16'), reason: z.string().trim().min(3).max(1000) }).strict(),
]);
export type TStatusChange = z.infer<typeof ZStatusChange>;

export const ZRecall = z.object({ reason: z.string().trim().min(3).max(1000) }).strict();

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
  from: z
    .string()
    .datetime({ offset: true })
    .or(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
    .optional(),
  to: z
    .string()
    .datetime({ offset: true })
    .or(z.string().regex(/^\d{4}-\d{2}-\d{2}$/))
    .optional(),
  q: z.string().max(200).optional(),
  overdue: z.enum(['true', 'false']).optional(),
}).strict();
export type TInboxQuery = z.infer<typeof ZInboxQuery>;
