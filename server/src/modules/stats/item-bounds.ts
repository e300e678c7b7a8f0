import type { Collection, Document } from 'mongodb';
import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { duplicateIndexes } from '../../db/duplicates.js';
import type { FactSet } from './facts.js';

/**
 * A drill-down lists a fact set's rows in id order, but a fact set is selected by a date (sent,
 * arrived, due, first dispatched). ObjectIds carry the second they were made, and the hub makes a
 * row's id close to its date: a delivery's when it is stored, right after its dispatch (its
 * `createdAt`), days or weeks before its due date; a document's when it is uploaded, usually days
 * before its first dispatch. So the rows of [start, end) are, with few exceptions, the rows whose
 * id lies in [start − lead, end + lag): a drill-down scans only that id window, in id order, and
 * stops at its page. The exceptions — rows whose id was made more than `lead` before or `lag`
 * after their date — are recorded when the row is counted (`recordTransitions`, `recordOutgoing`,
 * `rebuildCounters`) and listed separately, so the page stays exact whatever the ids.
 */
const DAY = 86_400_000;

export const ITEM_WINDOWS: Record<FactSet, { lead: number; lag: number }> = {
  sent: { lead: DAY, lag: DAY },
  received: { lead: DAY, lag: DAY },
  // handling deadlines are seldom more than a month after sending (Decree 30 practice)
  due: { lead: 31 * DAY, lag: DAY },
  // documents are seldom dispatched more than a month after they were uploaded
  outgoing: { lead: 31 * DAY, lag: DAY },
};

/** Rows whose id lies outside the window of their date, per set: `{_id, set, org, at, row}`. */
export const ITEM_EXCEPTIONS = 'stats_item_exceptions';

const idSeconds = (id: Types.ObjectId) => id.getTimestamp().getTime() / 1000;
const lowSecond = (set: FactSet, at: Date) =>
  Math.floor((at.getTime() - ITEM_WINDOWS[set].lead) / 1000);
const highSecond = (set: FactSet, at: Date) =>
  Math.floor((at.getTime() + ITEM_WINDOWS[set].lag) / 1000);

/** Ids of the regular rows of [start, end): `_id >= from` and `_id < to`. */
export function idWindow(
  set: FactSet,
  start: Date,
  end: Date,
): { from: Types.ObjectId; to: Types.ObjectId } {
  return {
    from: Types.ObjectId.createFromTime(Math.max(0, lowSecond(set, start))),
    // the last row of the range may have a date just before `end`: its id second is ≤ high(end)
    to: Types.ObjectId.createFromTime(highSecond(set, end) + 1),
  };
}

function isException(set: FactSet, id: Types.ObjectId, at: Date): boolean {
  const s = idSeconds(id);

  return s < lowSecond(set, at) || s > highSecond(set, at);
}

function exception(set: FactSet, row: Types.ObjectId, org: Types.ObjectId, at: Date): Document {
  return { _id: `${set}:${String(row)}`, set, row, org, at };
}

/** A new delivery's exceptions: as sent, as received, as due. */
export function deliveryExceptions(d: {
  _id: Types.ObjectId;
  senderOrgId: Types.ObjectId;
  recipientOrgId: Types.ObjectId;
  createdAt: Date;
  dueDate: Date | null;
}): Document[] {
  const out: Document[] = [];
  if (isException('sent', d._id, d.createdAt))
    out.push(exception('sent', d._id, d.senderOrgId, d.createdAt));
  if (isException('received', d._id, d.createdAt))
    out.push(exception('received', d._id, d.recipientOrgId, d.createdAt));
  if (d.dueDate && isException('due', d._id, d.dueDate))
    out.push(exception('due', d._id, d.recipientOrgId, d.dueDate));

  return out;
}

/** An outgoing document's exception, dated by its first dispatch. */
export function outgoingException(
  documentId: Types.ObjectId,
  first: { orgId: Types.ObjectId; createdAt: Date },
): Document[] {
  return isException('outgoing', documentId, first.createdAt)
    ? [exception('outgoing', documentId, first.orgId, first.createdAt)]
    : [];
}

/** Stores exceptions; one already stored (a replayed transition) is left as it is. */
export async function recordExceptions(ctx: HubContext, docs: Document[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await ctx.db.conn.collection(ITEM_EXCEPTIONS).insertMany(docs, { ordered: false });
  } catch (err) {
    duplicateIndexes(err);
  }
}

/** Exceptions are looked up by set, organization and date. */
export async function ensureExceptionIndex(coll: Collection<Document>): Promise<void> {
  await coll.createIndex({ set: 1, org: 1, at: 1 }, { name: 'stats_exceptions_set_org_at' });
}
