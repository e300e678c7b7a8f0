import type { Collection, Document } from 'mongodb';
import type { Types } from 'mongoose';
import type { TStatsRebuild } from '../../contracts/stats.js';
import type { HubContext } from '../../context.js';
import { Documents } from '../documents/index.js';
import { Deliveries, Dispatches } from '../exchange/index.js';
import { COUNTERS, loadAncestry } from './counter-cells.js';
import { MARKS, contributionOf, markOf, type CountedDelivery } from './counters.js';
import {
  OUTGOING_MARKS,
  ensureOutgoingMarkIndex,
  outgoingBump,
  outgoingMark,
  type OutgoingDocument,
} from './outgoing-counters.js';
import {
  ITEM_EXCEPTIONS,
  deliveryExceptions,
  ensureExceptionIndex,
  outgoingException,
} from './item-bounds.js';
import { ensureMarkIndexes, markFacts } from './mark-facts.js';
import { DayCells, DistinctDocuments, Interned } from './rebuild-cells.js';

const BATCH = 5_000;

/** What a rebuild did: the answer of POST /api/v1/stats/rebuild. */
export type RebuildReport = TStatsRebuild;

/**
 * Unordered inserts of what a scan produces, a few in flight so the engine writes while the scan
 * reads (both cores busy); `done` waits for the last.
 */
class Writer {
  private batch: Document[] = [];
  private inflight: Promise<unknown>[] = [];

  constructor(private readonly coll: Collection<Document>) {}

  async push(doc: Document): Promise<void> {
    this.batch.push(doc);
    if (this.batch.length < BATCH) return;
    const docs = this.batch;
    this.batch = [];
    if (this.inflight.length >= 2) await this.inflight.shift();
    this.inflight.push(this.coll.insertMany(docs, { ordered: false }));
  }

  async done(): Promise<void> {
    if (this.batch.length) this.inflight.push(this.coll.insertMany(this.batch, { ordered: false }));
    this.batch = [];
    await Promise.all(this.inflight);
  }
}

type Acc = { days: DayCells; distinct: DistinctDocuments; exceptions: Writer };

/** Every delivery, in storage order: its contribution, its distinct-document facts, its marker. */
async function countDeliveries(ctx: HubContext, acc: Acc, marks: Writer): Promise<number> {
  const cursor = Deliveries(ctx.db.conn)
    .collection.find(
      {},
      {
        projection: {
          documentId: 1,
          senderOrgId: 1,
          recipientOrgId: 1,
          urgency: 1,
          dueDate: 1,
          status: 1,
          'change.kind': 1,
          withdrawn: 1,
          'history.code': 1,
          'history.at': 1,
          createdAt: 1,
        },
      },
    )
    .batchSize(BATCH);
  let n = 0;
  for await (const raw of cursor) {
    const d = raw as unknown as CountedDelivery;
    n++;
    acc.days.add(contributionOf(d));
    acc.distinct.add(
      String(d.documentId),
      d.createdAt,
      String(d.senderOrgId),
      String(d.recipientOrgId),
    );
    await marks.push({
      _id: d._id,
      c: [...new Set(d.history.map((h) => markOf(h.code, d)))],
      ...markFacts(d),
    });
    for (const e of deliveryExceptions(d)) await acc.exceptions.push(e);
  }

  return n;
}

type First = {
  _id: Types.ObjectId;
  orgId: Types.ObjectId;
  createdAt: Date;
  versionId: Types.ObjectId;
};

/** Every document's first dispatch (earliest createdAt, then id, as the aggregation's $top). */
async function firstDispatches(ctx: HubContext): Promise<Map<string, First>> {
  const firsts = new Map<string, First>();
  const cursor = Dispatches(ctx.db.conn)
    .collection.find({}, { projection: { documentId: 1, orgId: 1, createdAt: 1, versionId: 1 } })
    .batchSize(BATCH);
  for await (const raw of cursor) {
    const d = raw as unknown as First & { documentId: Types.ObjectId };
    const k = String(d.documentId);
    const f = firsts.get(k);
    const t = d.createdAt.getTime();
    if (
      !f ||
      t < f.createdAt.getTime() ||
      (t === f.createdAt.getTime() && String(d._id) < String(f._id))
    )
      firsts.set(k, { _id: d._id, orgId: d.orgId, createdAt: d.createdAt, versionId: d.versionId });
  }

  return firsts;
}

/** Outgoing documents: each dispatched document counted from its first dispatch. */
async function countOutgoing(ctx: HubContext, acc: Acc, marks: Writer): Promise<number> {
  const firsts = await firstDispatches(ctx);
  if (firsts.size === 0) return 0;
  const cursor = Documents(ctx.db.conn)
    .collection.find(
      {},
      {
        projection: {
          'meta.type': 1,
          'meta.urgency': 1,
          'versions._id': 1,
          'versions.reason': 1,
          'versions.signature.kind': 1,
        },
      },
    )
    .batchSize(BATCH);
  let n = 0;
  for await (const raw of cursor) {
    const first = firsts.get(String(raw._id));
    if (!first) continue;
    n++;
    const mark = outgoingMark(first, raw as unknown as OutgoingDocument);
    acc.days.add([outgoingBump(mark)]);
    await marks.push(mark);
    for (const e of outgoingException(raw._id, first)) await acc.exceptions.push(e);
  }

  return n;
}

async function fresh(ctx: HubContext, name: string): Promise<Collection<Document>> {
  const coll = ctx.db.conn.collection(name);
  await coll.drop().catch(() => undefined);

  return coll;
}

/**
 * Recomputes every counter from the collections (recovery, an organization moved to another
 * parent, counters introduced on existing data). Sequential scans of deliveries, dispatches and
 * documents, summed in memory (rebuild-cells.ts), built into side collections and swapped in by
 * rename, so readers see the old counters until the new ones are complete. Transitions recorded
 * while it runs may be lost or doubled: run it when the hub is quiet.
 */
export async function rebuildCounters(ctx: HubContext): Promise<RebuildReport> {
  const t0 = Date.now();
  const ancestry = await loadAncestry(ctx);
  const orgs = new Interned();
  const tmp = {
    counters: await fresh(ctx, `${COUNTERS}_rebuild`),
    marks: await fresh(ctx, `${MARKS}_rebuild`),
    outgoing: await fresh(ctx, `${OUTGOING_MARKS}_rebuild`),
    exceptions: await fresh(ctx, `${ITEM_EXCEPTIONS}_rebuild`),
  };
  const acc: Acc = {
    days: new DayCells(orgs),
    distinct: new DistinctDocuments(orgs),
    exceptions: new Writer(tmp.exceptions),
  };
  const deliveryMarks = new Writer(tmp.marks);
  const outgoingMarks = new Writer(tmp.outgoing);
  const deliveries = await countDeliveries(ctx, acc, deliveryMarks);
  const outgoingDocuments = await countOutgoing(ctx, acc, outgoingMarks);
  const cells = acc.days.rollUp(ancestry);
  acc.distinct.countInto(cells, ancestry);
  const counters = new Writer(tmp.counters);
  for (const doc of cells.documents()) await counters.push(doc);
  await Promise.all([
    deliveryMarks.done(),
    outgoingMarks.done(),
    counters.done(),
    acc.exceptions.done(),
  ]);
  await ensureExceptionIndex(tmp.exceptions);
  await ensureOutgoingMarkIndex(tmp.outgoing);
  await ensureMarkIndexes(tmp.marks);
  for (const [name, coll] of [
    [COUNTERS, tmp.counters],
    [MARKS, tmp.marks],
    [OUTGOING_MARKS, tmp.outgoing],
    [ITEM_EXCEPTIONS, tmp.exceptions],
  ] as const) {
    // rename needs the source to exist even when nothing was counted
    await ctx.db.conn.createCollection(coll.collectionName).catch(() => undefined);
    await coll.rename(name, { dropTarget: true });
  }
  // markers of the first counters design (one per delivery and code), superseded by MARKS
  await ctx.db.conn
    .collection('stats_applied')
    .drop()
    .catch(() => undefined);

  return { deliveries, outgoingDocuments, counterDocuments: cells.size, ms: Date.now() - t0 };
}
