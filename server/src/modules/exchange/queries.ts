import { Types, type FilterQuery } from 'mongoose';
import type { Page } from '../../contracts/common.js';
import {
  STATUS,
  type TDelivery,
  type TDispatch,
  type TInboxQuery,
  type TStatusCode,
} from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { escapeRegex, foldVietnamese } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { recalledFromRecipient } from './recipient-access.js';
import { Deliveries, Dispatches, type DeliveryDoc } from './delivery.model.js';
import { presentDelivery, presentDispatch } from './present.js';
import { receiptOf, verifyReceipt } from './receipts.js';
import { CLOSED } from './transitions.js';

function cursorFilter(cursor: string | undefined): FilterQuery<DeliveryDoc> {
  if (!cursor) return {};
  if (!/^[0-9a-f]{24}$/.test(cursor))
    throw new AppError('VALIDATION_FAILED', 'cursor không hợp lệ');

  return { _id: { $lt: new Types.ObjectId(cursor) } };
}

function dayBound(value: string, end: boolean): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? new Date(`${value}T${end ? '23:59:59.999' : '00:00:00'}+07:00`)
    : new Date(value);
}

/** Inbox filters; every query is bound to the caller's organization first. */
function inboxFilter(p: Principal, q: TInboxQuery): FilterQuery<DeliveryDoc> {
  const f: FilterQuery<DeliveryDoc> = {
    recipientOrgId: new Types.ObjectId(p.orgId),
    withdrawn: false,
    ...cursorFilter(q.cursor),
  };
  if (q.status) f.status = q.status;
  if (q.urgency) f.urgency = q.urgency;
  if (q.sender) f.senderOrgId = new Types.ObjectId(q.sender);
  if (q.from || q.to) {
    f.createdAt = {
      ...(q.from ? { $gte: dayBound(q.from, false) } : {}),
      ...(q.to ? { $lte: dayBound(q.to, true) } : {}),
    };
  }
  if (q.q) f.folded = { $regex: escapeRegex(foldVietnamese(q.q.trim())) };
  if (q.overdue === 'true')
    Object.assign(f, { dueDate: { $lt: new Date() }, status: q.status ?? { $nin: CLOSED } });

  return f;
}

/**
 * A delivery as the caller sees it. Once the sender recalled it, its recipient sees the recall
 * (the last 13) and its answer, not the status messages before it: they name the document, which
 * is no longer the recipient's to read (documents/document-access.ts).
 */
function asSeenBy(p: Principal, d: DeliveryDoc): DeliveryDoc {
  const sender = String(d.senderOrgId) === p.orgId || hasRole(p, 'auditor');
  if (sender || !recalledFromRecipient(d)) return d;
  const recall = d.history.map((h) => h.code).lastIndexOf(STATUS.RECALLED);

  return { ...d, history: d.history.slice(Math.max(recall, 0)) };
}

export async function inbox(
  ctx: HubContext,
  p: Principal,
  q: TInboxQuery,
): Promise<Page<TDelivery>> {
  const docs = await Deliveries(ctx.db.conn)
    .find(inboxFilter(p, q))
    .sort({ _id: -1 })
    .limit(q.limit)
    .lean();

  return {
    items: docs.map((d) => presentDelivery(asSeenBy(p, d))),
    nextCursor: docs.length === q.limit ? String(docs.at(-1)!._id) : null,
  };
}

export async function outbox(
  ctx: HubContext,
  p: Principal,
  q: { cursor?: string; limit: number },
): Promise<Page<TDispatch>> {
  const filter = { orgId: new Types.ObjectId(p.orgId), ...cursorFilter(q.cursor) };
  const dispatches = await Dispatches(ctx.db.conn)
    .find(filter)
    .sort({ _id: -1 })
    .limit(q.limit)
    .lean();
  const counts = await Deliveries(ctx.db.conn).aggregate<{
    _id: { d: Types.ObjectId; s: TStatusCode };
    n: number;
  }>([
    { $match: { dispatchId: { $in: dispatches.map((d) => d._id) } } },
    { $group: { _id: { d: '$dispatchId', s: '$status' }, n: { $sum: 1 } } },
  ]);
  const summaries = new Map<string, Partial<Record<TStatusCode, number>>>();
  for (const c of counts) {
    const s = summaries.get(String(c._id.d)) ?? {};
    s[c._id.s] = c.n;
    summaries.set(String(c._id.d), s);
  }

  return {
    items: dispatches.map((d) => presentDispatch(d, undefined, summaries.get(String(d._id)) ?? {})),
    nextCursor: dispatches.length === q.limit ? String(dispatches.at(-1)!._id) : null,
  };
}

export async function getDispatch(ctx: HubContext, p: Principal, id: string): Promise<TDispatch> {
  const filter: FilterQuery<unknown> = {
    _id: Types.ObjectId.isValid(id) ? new Types.ObjectId(id) : null,
  };
  if (!hasRole(p, 'auditor')) filter.orgId = new Types.ObjectId(p.orgId);
  const d = await Dispatches(ctx.db.conn).findOne(filter).lean();
  if (!d) throw new AppError('NOT_FOUND', 'Không tìm thấy lần gửi văn bản.');

  return presentDispatch(d, await Deliveries(ctx.db.conn).find({ dispatchId: d._id }).lean());
}

/** A delivery is visible to its sender, its recipient (until withdrawn) and auditors. */
export async function getDelivery(ctx: HubContext, p: Principal, id: string): Promise<DeliveryDoc> {
  const d = Types.ObjectId.isValid(id) ? await Deliveries(ctx.db.conn).findById(id).lean() : null;
  const org = p.orgId;
  const visible =
    d &&
    (hasRole(p, 'auditor') ||
      String(d.senderOrgId) === org ||
      (String(d.recipientOrgId) === org && !d.withdrawn));
  if (!visible) throw new AppError('NOT_FOUND', 'Không tìm thấy văn bản đến.');

  return asSeenBy(p, d);
}

export async function receipts(ctx: HubContext, p: Principal, id: string) {
  const d = await getDelivery(ctx, p, id);

  return Promise.all(
    d.history.map(async (h) => {
      const receipt = receiptOf(d, h);
      const v = await verifyReceipt(ctx, receipt.jws);

      return {
        code: h.code,
        at: h.at.toISOString(),
        jws: receipt.jws,
        keyId: receipt.keyId,
        valid: v.valid,
        claims: v.claims,
      };
    }),
  );
}
