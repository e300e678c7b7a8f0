import type { Collection, Document } from 'mongodb';
import type { HubContext } from '../../context.js';
import { Documents } from '../documents/document.model.js';
import { Deliveries, Dispatches, type DispatchDoc } from '../exchange/delivery.model.js';
import {
  COUNTERS,
  loadAncestry,
  nest,
  spread,
  type Ancestry,
  type Cells,
} from './counter-cells.js';
import { MARKS, contributionOf, distinctCells, markOf, type CountedDelivery } from './counters.js';
import { OUTGOING_MARKS, outgoingBump, type OutgoingDocument } from './outgoing-counters.js';

const BATCH = 5_000;

export type RebuildReport = {
  deliveries: number;
  outgoingDocuments: number;
  counterDocuments: number;
  ms: number;
};

async function insertBatched(coll: Collection<Document>, docs: Iterable<Document>): Promise<void> {
  let batch: Document[] = [];
  for (const d of docs) {
    batch.push(d);
    if (batch.length >= BATCH) {
      await coll.insertMany(batch, { ordered: false });
      batch = [];
    }
  }
  if (batch.length) await coll.insertMany(batch, { ordered: false });
}

/** Every delivery, grouped by document (distinct counts need a document's deliveries together). */
async function countDeliveries(
  ctx: HubContext,
  cells: Cells,
  ancestry: Ancestry,
  marks: Collection<Document>,
): Promise<number> {
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
    .sort({ documentId: 1 })
    .batchSize(BATCH);
  let n = 0;
  let group: CountedDelivery[] = [];
  let pending: Document[] = [];
  const flushGroup = () => {
    distinctCells(cells, ancestry, group, () => true);
    group = [];
  };
  for await (const raw of cursor) {
    const d = raw as unknown as CountedDelivery;
    n++;
    if (group.length && String(group[0]!.documentId) !== String(d.documentId)) flushGroup();
    group.push(d);
    spread(cells, ancestry, contributionOf(d));
    pending.push({ _id: d._id, c: [...new Set(d.history.map((h) => markOf(h.code, d)))] });
    if (pending.length >= BATCH) {
      await marks.insertMany(pending, { ordered: false });
      pending = [];
    }
  }
  if (group.length) flushGroup();
  if (pending.length) await marks.insertMany(pending, { ordered: false });

  return n;
}

/** Every document's first dispatch (earliest createdAt, then id), with the document's facts. */
async function countOutgoing(
  ctx: HubContext,
  cells: Cells,
  ancestry: Ancestry,
  marks: Collection<Document>,
): Promise<number> {
  const cursor = Dispatches(ctx.db.conn)
    .collection.find({}, { projection: { documentId: 1, orgId: 1, createdAt: 1, versionId: 1 } })
    .sort({ documentId: 1, createdAt: 1 })
    .batchSize(BATCH);
  let n = 0;
  let firsts: DispatchDoc[] = [];
  const flush = async () => {
    const docs = await Documents(ctx.db.conn)
      .collection.find(
        { _id: { $in: firsts.map((f) => f.documentId) } },
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
      .toArray();
    const byId = new Map(docs.map((d) => [String(d._id), d as unknown as OutgoingDocument]));
    const found = firsts.filter((f) => byId.has(String(f.documentId)));
    spread(
      cells,
      ancestry,
      found.map((f) => outgoingBump(f, byId.get(String(f.documentId))!)),
    );
    if (found.length)
      await marks.insertMany(
        found.map((f) => ({ _id: f.documentId, at: f.createdAt })),
        { ordered: false },
      );
    n += found.length;
    firsts = [];
  };
  let current: DispatchDoc | null = null;
  for await (const raw of cursor) {
    const d = raw as unknown as DispatchDoc;
    const same = current && String(current.documentId) === String(d.documentId);
    if (same) {
      // equal instants: the smaller id is first, as the aggregation's $top sorts
      if (
        d.createdAt.getTime() === current!.createdAt.getTime() &&
        String(d._id) < String(current!._id)
      )
        current = d;
      continue;
    }
    if (current) firsts.push(current);
    current = d;
    if (firsts.length >= BATCH) await flush();
  }
  if (current) firsts.push(current);
  await flush();

  return n;
}

async function fresh(ctx: HubContext, name: string): Promise<Collection<Document>> {
  const coll = ctx.db.conn.collection(name);
  await coll.drop().catch(() => undefined);

  return coll;
}

/**
 * Recomputes every counter from the collections (recovery, an organization moved to another
 * parent, counters introduced on existing data). Built into side collections and swapped in by
 * rename, so readers see the old counters until the new ones are complete. Transitions recorded
 * while it runs may be lost or doubled: run it when the hub is quiet.
 */
export async function rebuildCounters(ctx: HubContext): Promise<RebuildReport> {
  const t0 = Date.now();
  const ancestry = await loadAncestry(ctx);
  const cells: Cells = new Map();
  const tmp = {
    counters: await fresh(ctx, `${COUNTERS}_rebuild`),
    marks: await fresh(ctx, `${MARKS}_rebuild`),
    outgoing: await fresh(ctx, `${OUTGOING_MARKS}_rebuild`),
  };
  const deliveries = await countDeliveries(ctx, cells, ancestry, tmp.marks);
  const outgoingDocuments = await countOutgoing(ctx, cells, ancestry, tmp.outgoing);
  await insertBatched(
    tmp.counters,
    (function* () {
      for (const [id, inc] of cells) yield nest(id, inc);
    })(),
  );
  for (const [name, coll] of [
    [COUNTERS, tmp.counters],
    [MARKS, tmp.marks],
    [OUTGOING_MARKS, tmp.outgoing],
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
