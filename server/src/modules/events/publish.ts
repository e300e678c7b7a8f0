import { Types } from 'mongoose';
import type { EventEnvelope, EventPayloads, EventType } from '../../contracts/events.js';
import type { HubContext } from '../../context.js';
import { duplicateIndexes } from '../../db/duplicates.js';
import { Deliveries } from '../exchange/delivery.model.js';
import { arrivalPayload } from '../exchange/present.js';
import { Events, reserve, type EventDoc } from './event.model.js';

export type NewEvent<K extends EventType = EventType> = {
  orgId: string;
  type: K;
  key: string;
  data: EventPayloads[K];
  /** Store only this delivery's id: `eventsAfter` rebuilds the payload from the delivery. */
  ref?: Types.ObjectId;
};

export function orgRoom(orgId: string): string {
  return `org:${orgId}`;
}

/** Every socket of one user (all tabs and devices). */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

export function toEnvelope(e: EventDoc): EventEnvelope<unknown> {
  return { seq: e.seq, orgId: String(e.orgId), type: e.type, at: e.at.toISOString(), data: e.data };
}

/**
 * Sends an event to its organization's sockets. A single node without a Redis relay knows every
 * socket: an organization with none connected (most senders, most of the time) costs no encoding.
 */
function emit(ctx: HubContext, d: EventDoc): void {
  const room = orgRoom(String(d.orgId));
  if (!ctx.io || (!ctx.config.REDIS_URL && !ctx.io.of('/').adapter.rooms.has(room))) return;
  ctx.io.to(room).emit(d.type, toEnvelope(d) as never);
}

/** Stores a batch with consecutive seqs; returns the rows that were new (not a repeat). */
async function store(ctx: HubContext, events: NewEvent[]): Promise<EventDoc[]> {
  const first = await reserve(ctx.db.conn, 'events', events.length);
  const at = new Date();
  const docs: EventDoc[] = events.map((e, i) => ({
    _id: `${e.orgId}|${e.key}`,
    orgId: new Types.ObjectId(e.orgId),
    seq: first + i,
    type: e.type,
    key: e.key,
    data: e.data,
    ...(e.ref ? { ref: e.ref } : {}),
    at,
  }));
  const rows = docs.map(({ data, ...row }) => (row.ref ? row : { ...row, data }));
  let skipped = new Set<number>();
  try {
    await Events(ctx.db.conn).collection.insertMany(rows as never[], { ordered: false });
  } catch (err) {
    skipped = new Set(duplicateIndexes(err));
  }

  return docs.filter((_, i) => !skipped.has(i));
}

type Pending = {
  events: NewEvent[];
  facts?: Promise<Types.ObjectId[]>;
  done: (r: EventDoc[] | Error) => void;
};

/**
 * One sequencer per hub: publishes are written one batch at a time, each batch holding every
 * request queued meanwhile, and emitted in seq order. So this node never emits seq N while a
 * lower seq it reserved is still unwritten — a client that saw N and reconnects with
 * lastSeq = N cannot miss N − 1 from this node. (Across nodes the window remains;
 * docs/architecture.md.) A batch waits for the facts its events tell (`facts`) only to be
 * emitted: the next batch is written meanwhile.
 */
class Sequencer {
  private queue: Pending[] = [];
  private running = false;
  private emitted: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: HubContext) {}

  publish(events: NewEvent[], facts?: Promise<Types.ObjectId[]>): Promise<EventDoc[]> {
    // handled here too: a batch whose write fails never awaits its facts
    facts?.catch(() => undefined);

    return new Promise((resolve, reject) => {
      this.queue.push({
        events,
        ...(facts ? { facts } : {}),
        done: (r) => (r instanceof Error ? reject(r) : resolve(r)),
      });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.queue.length);
      try {
        const stored = await store(
          this.ctx,
          batch.flatMap((b) => b.events),
        );
        this.emitted = this.emitted.then(() => this.emitBatch(batch, stored));
      } catch (err) {
        for (const b of batch) b.done(err instanceof Error ? err : new Error(String(err)));
      }
    }
    this.running = false;
  }

  /** Never rejects: the chain of emissions outlives any one publisher's failure. */
  private async emitBatch(batch: Pending[], stored: EventDoc[]): Promise<void> {
    const byKey = new Map(stored.map((d) => [d._id, d]));
    for (const b of batch) {
      let docs = b.events.flatMap((e) => byKey.get(`${e.orgId}|${e.key}`) ?? []);
      try {
        if (b.facts) {
          const facts = new Set((await b.facts).map(String));
          docs = docs.filter((d) => !d.ref || facts.has(String(d.ref)));
        }
      } catch (err) {
        b.done(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      for (const d of docs) emit(this.ctx, d);
      b.done(docs);
    }
  }
}

const sequencers = new WeakMap<HubContext, Sequencer>();

/**
 * Persists events, then emits them: a client can always get from the log what it may have
 * missed live. Publishing the same keys again stores and emits nothing new. With `facts`, the
 * events are written while the facts they tell are being stored, and emitted once those are:
 * only the events whose `ref` is among the stored facts; a row whose fact never was stored
 * stays in the log, unread (`eventsAfter`).
 */
export function publishEvents(
  ctx: HubContext,
  events: NewEvent[],
  facts?: Promise<Types.ObjectId[]>,
): Promise<EventDoc[]> {
  if (events.length === 0) return Promise.resolve([]);
  let s = sequencers.get(ctx);
  if (!s) sequencers.set(ctx, (s = new Sequencer(ctx)));

  return s.publish(events, facts);
}

/**
 * Payloads of events stored by reference, rebuilt from their deliveries as stored now. A row whose
 * delivery was never stored (a dispatch that failed between writing its events and its
 * deliveries) tells nothing and is left out.
 */
async function withPayloads(ctx: HubContext, events: EventDoc[]): Promise<EventDoc[]> {
  const refs = events.flatMap((e) => (e.data === undefined && e.ref ? [e.ref] : []));
  if (refs.length === 0) return events;
  const deliveries = await Deliveries(ctx.db.conn)
    .find({ _id: { $in: refs } })
    .lean();
  const byId = new Map(deliveries.map((d) => [String(d._id), d]));

  return events.flatMap((e) => {
    if (e.data !== undefined || !e.ref) return [e];
    const d = byId.get(String(e.ref));

    return d ? [{ ...e, data: arrivalPayload(e.type, d, e.key) }] : [];
  });
}

/** A page of the log: `lastSeq` is the last row read, shown or not, where the next page starts. */
export type EventPage = { events: EventDoc[]; lastSeq: number; more: boolean };

export async function eventsAfter(
  ctx: HubContext,
  orgId: string,
  after: number,
  limit = 1000,
): Promise<EventPage> {
  const rows = await Events(ctx.db.conn)
    .find({ orgId: new Types.ObjectId(orgId), seq: { $gt: after } })
    .sort({ seq: 1 })
    .limit(limit)
    .lean();

  return {
    events: await withPayloads(ctx, rows),
    lastSeq: rows.at(-1)?.seq ?? after,
    more: rows.length === limit,
  };
}
