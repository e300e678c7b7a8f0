import {
  STATUS,
  type TDelivery,
  type TDeliveryBrief,
  type TDispatch,
  type TDispatchSent,
  type TStatusCode,
} from '../../contracts/exchange.js';
import { CLOSED } from './transitions.js';
import type { EventType, TDeliveryStatusEvent, TIncomingEvent } from '../../contracts/events.js';
import type { NewEvent } from '../events/index.js';
import type { DeliveryDoc, DispatchDoc, HistoryDoc } from './delivery.model.js';
import { receiptOf } from './receipts.js';

export function isOverdue(d: Pick<DeliveryDoc, 'dueDate' | 'status'>, now = new Date()): boolean {
  return d.dueDate !== null && d.dueDate < now && !CLOSED.includes(d.status);
}

export function presentBrief(d: DeliveryDoc): TDeliveryBrief {
  return {
    id: String(d._id),
    dispatchId: String(d.dispatchId),
    documentId: String(d.documentId),
    versionId: String(d.versionId),
    senderOrgId: String(d.senderOrgId),
    senderName: d.senderName,
    recipientOrgId: String(d.recipientOrgId),
    recipientName: d.recipientName,
    status: d.status,
    subject: d.subject,
    codeLabel: d.codeLabel,
    urgency: d.urgency,
    dueDate: d.dueDate ? d.dueDate.toISOString() : null,
    overdue: isOverdue(d),
    change: d.change
      ? {
          kind: d.change.kind,
          state: d.change.state,
          ...(d.change.reason ? { reason: d.change.reason } : {}),
        }
      : null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

export function presentDelivery(d: DeliveryDoc): TDelivery {
  return {
    ...presentBrief(d),
    history: d.history.map((h) => ({ ...h, at: h.at.toISOString(), receipt: receiptOf(d, h) })),
  };
}

export function presentDispatch(
  d: DispatchDoc,
  deliveries?: DeliveryDoc[],
  summary?: Partial<Record<TStatusCode, number>>,
): TDispatch {
  return {
    id: String(d._id),
    orgId: String(d.orgId),
    documentId: String(d.documentId),
    versionId: String(d.versionId),
    recipients: d.recipients.map(String),
    createdAt: d.createdAt.toISOString(),
    createdBy: d.createdByName,
    recalled: d.recalled,
    ...(deliveries ? { deliveries: deliveries.map(presentDelivery) } : {}),
    summary: summary ?? summarize(deliveries ?? []),
  };
}

export function presentSent(d: DispatchDoc, deliveries: DeliveryDoc[]): TDispatchSent {
  return {
    ...presentDispatch(d),
    deliveries: deliveries.map(presentBrief),
    summary: summarize(deliveries),
  };
}

export function summarize(
  deliveries: Pick<DeliveryDoc, 'status'>[],
): Partial<Record<TStatusCode, number>> {
  const s: Partial<Record<TStatusCode, number>> = {};
  for (const d of deliveries) s[d.status] = (s[d.status] ?? 0) + 1;

  return s;
}

/**
 * The payload of a dispatch's arrival events, from the delivery: the same function builds the
 * live event and, from the stored delivery, the replayed one (arrival-log.ts).
 */
export function arrivalPayload(
  type: EventType,
  d: DeliveryDoc,
): TIncomingEvent | TDeliveryStatusEvent {
  if (type === 'document:incoming') return { delivery: presentBrief(d) };

  return statusData(
    d,
    d.history.find((h) => h.code === STATUS.ARRIVED)!,
  );
}

function statusData(d: DeliveryDoc, h: HistoryDoc): TDeliveryStatusEvent {
  return {
    deliveryId: String(d._id),
    dispatchId: String(d.dispatchId),
    documentId: String(d.documentId),
    recipientOrgId: String(d.recipientOrgId),
    recipientName: d.recipientName,
    code: h.code,
    at: h.at.toISOString(),
    actorName: h.actorName,
    ...(h.reason ? { reason: h.reason } : {}),
    receipt: receiptOf(d, h),
  };
}

/** The receipt notification to the sender for one history entry of a delivery. */
export function statusEvent(
  d: DeliveryDoc,
  h: HistoryDoc,
  key: string,
): NewEvent<'delivery:status'> {
  return { orgId: String(d.senderOrgId), type: 'delivery:status', key, data: statusData(d, h) };
}
