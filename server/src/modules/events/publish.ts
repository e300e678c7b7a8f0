import { Types } from 'mongoose';
import type { EventEnvelope, EventPayloads, EventType } from '../../contracts/events.js';
import type { HubContext } from '../../context.js';
import { duplicateIndexes } from '../../db/duplicates.js';
import { Counters, Events, reserve, type EventDoc } from './event.model.js';
import { orgRoom } from '../../realtime/rooms.js';
import { resyncFrom } from '../../realtime/outage.js';
import { isUnreachable } from '../../db/unreachable.js';

export { orgRoom, userRoom } from '../../realtime/rooms.js';

export type NewEvent<K extends EventType = EventType> = {
  orgId: string;
  type: K;
  key: string;
  data: EventPayloads[K];
};

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

/** The batch's rows, numbered from `first`. */
function numbered(events: NewEvent[], first: number): EventDoc[] {
  const at = new Date();

  return events.map((e, i) => ({
    _id: `${e.orgId}|${e.key}`,
    orgId: new Types.ObjectId(e.orgId),
    seq: first + i,
    type: e.type,
    key: e.key,
    data: e.data,
    at,
  }));
}

/** Stores numbered events; returns the ones that were new (not a repeat), to be emitted. */
async function write(ctx: HubContext, docs: EventDoc[]): Promise<EventDoc[]> {
  let skipped = new Set<number>();
  try {
    await Events(ctx.db.conn).collection.insertMany(docs as never[], { ordered: false });
  } catch (err) {
    skipped = new Set(duplicateIndexes(err));
  }

  return docs.filter((_, i) => !skipped.has(i));
}

/**
 * What a publisher hands the sequencer: how many seqs it needs, and how to store its events once
 * numbered from the first of them; `store` returns the events to emit.
 */
export type Publication = { count: number; store: (first: number) => Promise<EventDoc[]> };

type Pending = Publication & { done: (r: EventDoc[] | Error) => void };

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/**
 * One sequencer per hub: each batch (every publication queued meanwhile) reserves its seqs after
 * the previous batch's; its publications are stored while the next batch reserves, and emitted,
 * in seq order, after the previous batch's. So this node never emits seq N while a lower seq it
 * reserved is still unwritten — a client that saw N and reconnects with lastSeq = N cannot miss
 * N − 1 from this node. (Across nodes the window remains; docs/architecture.md.)
 */
export class Sequencer {
  private queue: Pending[] = [];
  private running = false;
  private emitted: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: HubContext) {}

  publish(p: Publication): Promise<EventDoc[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...p, done: (r) => (r instanceof Error ? reject(r) : resolve(r)) });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.queue.length);
      let stored: Promise<EventDoc[]>[];
      const firsts: (number | undefined)[] = [];
      try {
        let next = await reserve(
          this.ctx.db.conn,
          'events',
          batch.reduce((n, p) => n + p.count, 0),
        );
        stored = batch.map((p) => {
          const first = next;
          next += p.count;
          firsts.push(first);

          return p.store(first);
        });
      } catch (err) {
        stored = batch.map(() => Promise.reject(asError(err)));
      }
      // awaited in turn by the emission chain, perhaps after they have failed
      for (const s of stored) s.catch(() => undefined);
      this.emitted = this.emitted.then(() => this.emitBatch(batch, stored, firsts));
    }
    this.running = false;
  }

  /** Never rejects: the chain of emissions outlives any one publication's failure. */
  private async emitBatch(
    batch: Pending[],
    stored: Promise<EventDoc[]>[],
    firsts: (number | undefined)[],
  ): Promise<void> {
    for (const [i, p] of batch.entries()) {
      try {
        const docs = await stored[i]!;
        for (const d of docs) emit(this.ctx, d);
        p.done(docs);
      } catch (err) {
        // the database went away mid-write: some of its events may be stored though never
        // emitted, below seqs emitted next
        const first = firsts[i];
        if (first !== undefined && this.ctx.io && isUnreachable(err)) {
          resyncFrom(this.ctx.io, first - 1, this.ctx.log);
        }
        p.done(asError(err));
      }
    }
  }
}

/**
 * Numbers events (`count` seqs from the organizations' shared counter), has the publisher store
 * them, then emits what it stored, in seq order: a client can always get from the log what it
 * may have missed live. A module may store its events elsewhere (the exchange keeps a dispatch's
 * arrival events in its deliveries) and register that store as a source (`eventsAfter`).
 */
export function publish(ctx: HubContext, p: Publication): Promise<EventDoc[]> {
  if (p.count === 0) return Promise.resolve([]);

  return ctx.services.events.sequencer.publish(p);
}

/** Events a module stores outside the log: the organization's after `after`, `limit` at most. */
export type EventSource = (orgId: string, after: number, limit: number) => Promise<EventDoc[]>;

/** The last seq handed out so far (every event after it is yet to be published). */
export async function lastSeq(ctx: HubContext): Promise<number> {
  const c = await Counters(ctx.db.conn).findById('events').lean();

  return c?.seq ?? 0;
}

/** Stores events in the log and emits them. Publishing the same keys again does nothing. */
export function publishEvents(ctx: HubContext, events: NewEvent[]): Promise<EventDoc[]> {
  return publish(ctx, {
    count: events.length,
    store: (first) => write(ctx, numbered(events, first)),
  });
}

/**
 * The organization's events after `after`: the log's own rows merged with those of the sources
 * modules registered (the first `limit` of all are among the first `limit` of each).
 */
export async function eventsAfter(
  ctx: HubContext,
  orgId: string,
  after: number,
  limit = 1000,
): Promise<EventDoc[]> {
  const sources = await Promise.all([
    Events(ctx.db.conn)
      .find({ orgId: new Types.ObjectId(orgId), seq: { $gt: after } })
      .sort({ seq: 1 })
      .limit(limit)
      .lean(),
    ...ctx.services.events.sources.map((source) => source(orgId, after, limit)),
  ]);
  return sources
    .flat()
    .sort((x, y) => x.seq - y.seq)
    .slice(0, limit);
}
