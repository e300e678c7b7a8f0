import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { STATUS } from '../../contracts/exchange.js';
import { duplicateIndexes } from '../../db/duplicates.js';
import type { EventDoc } from '../events/index.js';
import { Deliveries, type DeliveryDoc } from './delivery.model.js';
import { arrivalPayload } from './present.js';
import { detach } from './receipts.js';

/**
 * A dispatch's arrival events — `document:incoming` to each recipient, the 01 `delivery:status`
 * to the sender — are kept in its deliveries rather than as rows of the event log: each delivery
 * holds the two seqs, and the log reads the events back from there (`eventsAfter`). One write per
 * delivery instead of three, and an event exists exactly when its delivery does.
 */
export type ArrivalSeqs = { incomingSeq: number; arrivedSeq: number };

/** The two events of a numbered delivery, as emitted live and as read back from the log. */
export function arrivalEvents(d: DeliveryDoc & ArrivalSeqs): [EventDoc, EventDoc] {
  const event = (orgId: Types.ObjectId, seq: number, type: EventDoc['type'], key: string) => ({
    _id: `${String(orgId)}|${key}`,
    orgId,
    seq,
    type,
    key,
    data: arrivalPayload(type, d),
    at: d.createdAt,
  });
  const id = String(d._id);

  return [
    event(d.recipientOrgId, d.incomingSeq, 'document:incoming', `incoming:${id}`),
    event(d.senderOrgId, d.arrivedSeq, 'delivery:status', `status:${id}:01`),
  ];
}

/**
 * Numbers the deliveries' events from `first` and stores the deliveries; returns the ones stored
 * now (a concurrent repair of the same dispatch may have stored some first).
 */
export async function storeNumbered(
  ctx: HubContext,
  built: DeliveryDoc[],
  first: number,
): Promise<(DeliveryDoc & ArrivalSeqs)[]> {
  const numbered = built.map((d, i) =>
    Object.assign(d, { incomingSeq: first + 2 * i, arrivedSeq: first + 2 * i + 1 }),
  );
  try {
    await Deliveries(ctx.db.conn).collection.insertMany(numbered.map(stored), { ordered: false });

    return numbered;
  } catch (err) {
    const refused = new Set(duplicateIndexes(err));

    return numbered.filter((_, i) => !refused.has(i));
  }
}

/** A new delivery as stored: its one (01) receipt detached (receipts.ts). */
function stored(d: DeliveryDoc): DeliveryDoc {
  return {
    ...d,
    history: d.history.map((h) =>
      h.code === STATUS.ARRIVED && 'jws' in h.receipt ? { ...h, receipt: detach(d, h.receipt) } : h,
    ),
  };
}

/** The organization's arrival events after `after`, as received and as sent, `limit` each. */
export async function arrivalsAfter(
  ctx: HubContext,
  orgId: string,
  after: number,
  limit: number,
): Promise<EventDoc[]> {
  const org = new Types.ObjectId(orgId);
  const read = (side: 'recipientOrgId' | 'senderOrgId', seq: keyof ArrivalSeqs, which: 0 | 1) =>
    Deliveries(ctx.db.conn)
      .find({ [side]: org, [seq]: { $gt: after } })
      .sort({ [seq]: 1 })
      .limit(limit)
      .lean<(DeliveryDoc & ArrivalSeqs)[]>()
      .then((ds) => ds.map((d) => arrivalEvents(d)[which]));

  const [received, sent] = await Promise.all([
    read('recipientOrgId', 'incomingSeq', 0),
    read('senderOrgId', 'arrivedSeq', 1),
  ]);

  return [...received, ...sent];
}
