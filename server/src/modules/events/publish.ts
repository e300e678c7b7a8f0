import { Types } from 'mongoose';
import type { EventEnvelope, EventPayloads, EventType } from '../../contracts/events.js';
import type { HubContext } from '../../context.js';
import { Events, reserve, type EventDoc } from './event.model.js';

export type NewEvent<K extends EventType = EventType> = {
  orgId: string;
  type: K;
  key: string;
  data: EventPayloads[K];
};

export function orgRoom(orgId: string): string {
  return `org:${orgId}`;
}

export function toEnvelope(e: EventDoc): EventEnvelope<unknown> {
  return { seq: e.seq, orgId: String(e.orgId), type: e.type, at: e.at.toISOString(), data: e.data };
}

/** Indexes of the documents that a bulk insert skipped as duplicates (already published). */
function duplicateIndexes(err: unknown): Set<number> {
  const raw = (err as { writeErrors?: unknown }).writeErrors;
  if (!raw) throw err;
  const errors = (Array.isArray(raw) ? raw : [raw]) as { code: number; index: number }[];
  if (errors.some((w) => w.code !== 11000)) throw err;

  return new Set(errors.map((w) => w.index));
}

/**
 * Persists events, then emits them: a client can always get from the log what it may have
 * missed live. Publishing the same keys again stores and emits nothing new.
 */
export async function publishEvents(ctx: HubContext, events: NewEvent[]): Promise<EventDoc[]> {
  if (events.length === 0) return [];
  const first = await reserve(ctx.db.conn, 'events', events.length);
  const at = new Date();
  const docs: EventDoc[] = events.map((e, i) => ({
    _id: new Types.ObjectId(),
    orgId: new Types.ObjectId(e.orgId),
    seq: first + i,
    type: e.type,
    key: e.key,
    data: e.data,
    at,
  }));
  let skipped = new Set<number>();
  try {
    await Events(ctx.db.conn).collection.insertMany(docs, { ordered: false });
  } catch (err) {
    skipped = duplicateIndexes(err);
  }
  const stored = docs.filter((_, i) => !skipped.has(i));
  for (const d of stored) ctx.io?.to(orgRoom(String(d.orgId))).emit(d.type, toEnvelope(d) as never);

  return stored;
}

export async function eventsAfter(
  ctx: HubContext,
  orgId: string,
  after: number,
  limit = 1000,
): Promise<EventDoc[]> {
  return Events(ctx.db.conn)
    .find({ orgId: new Types.ObjectId(orgId), seq: { $gt: after } })
    .sort({ seq: 1 })
    .limit(limit)
    .lean();
}
