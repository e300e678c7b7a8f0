import type { Collection, Document } from 'mongodb';
import type { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { duplicateIndexes } from '../../db/duplicates.js';
import type { DocumentDoc } from '../documents/index.js';
import { Dispatches, type DispatchDoc } from '../exchange/index.js';
import {
  fieldKey,
  loadAncestry,
  spread,
  writeCells,
  type Bump,
  type Cells,
} from './counter-cells.js';
import { outgoingException, recordExceptions } from './item-bounds.js';

/**
 * One document per outgoing document already counted, for idempotence, holding what was counted:
 * `{_id: documentId, at, org, seal, personal, type, urgency}` of its first dispatch — the fact row
 * the drill-down of an outgoing figure lists (fact-items.ts).
 */
export const OUTGOING_MARKS = 'stats_outgoing_marks';

type Versions = { _id: Types.ObjectId; reason: string; signature?: { kind: string } | null }[];

/**
 * Signatures carried by the dispatched version (facts.ts does the same with $reduce): a
 * 'signature' version adds its signature to the file before it; an upload or replacement starts
 * a new file carrying only its own.
 */
export function carriedSignatures(versions: Versions, versionId: Types.ObjectId): Set<string> {
  const kinds = new Set<string>();
  for (const v of versions) {
    if (v.reason !== 'signature') kinds.clear();
    if (v.signature?.kind) kinds.add(v.signature.kind);
    if (String(v._id) === String(versionId)) break;
  }

  return kinds;
}

export type OutgoingDocument = Pick<DocumentDoc, '_id'> & {
  meta: { type: string; urgency: string };
  versions: Versions;
};

type First = Pick<DispatchDoc, 'orgId' | 'createdAt' | 'versionId'>;

/** The outgoing fact row of a document (as facts.ts computes it), kept as its marker. */
export function outgoingMark(first: First, doc: OutgoingDocument): Document {
  const kinds = carriedSignatures(doc.versions, first.versionId);

  return {
    _id: doc._id,
    at: first.createdAt,
    org: first.orgId,
    seal: kinds.has('seal'),
    personal: kinds.has('personal'),
    type: doc.meta.type,
    urgency: doc.meta.urgency,
  };
}

/** What an outgoing document adds, in the period of its first dispatch, to its sender's counters. */
export function outgoingBump(mark: Document): Bump {
  return {
    orgId: String(mark.org),
    at: mark.at as Date,
    inc: {
      outgoing: 1,
      seal: mark.seal ? 1 : 0,
      personal: mark.personal ? 1 : 0,
      [`outU.${String(mark.urgency)}`]: 1,
      [`outT.${fieldKey(String(mark.type))}`]: 1,
    },
  };
}

/**
 * Counts a document as outgoing, once, from its first dispatch: called by the exchange module
 * after a dispatch's deliveries are stored. Later dispatches of the same document count nothing.
 */
export async function recordOutgoing(
  ctx: HubContext,
  dispatch: DispatchDoc,
  doc: OutgoingDocument,
): Promise<void> {
  const cells: Cells = new Map();
  const exceptions = await countOutgoing(ctx, [{ dispatch, doc }], cells);
  await Promise.all([writeCells(ctx, cells), recordExceptions(ctx, exceptions)]);
}

/** The earliest stored dispatch of each document (by createdAt, then id). */
async function firstDispatches(
  ctx: HubContext,
  ids: Types.ObjectId[],
): Promise<Map<string, First>> {
  const all = await Dispatches(ctx.db.conn)
    .find({ documentId: { $in: ids } }, { documentId: 1, orgId: 1, createdAt: 1, versionId: 1 })
    .sort({ createdAt: 1, _id: 1 })
    .lean();
  const first = new Map<string, First>();
  for (const d of all) if (!first.has(String(d.documentId))) first.set(String(d.documentId), d);

  return first;
}

/**
 * Claims the outgoing markers of many dispatches' documents (one read, one insert) and adds what
 * the fresh ones count to `cells`; returns the drill-down exceptions to store with them.
 */
export async function countOutgoing(
  ctx: HubContext,
  items: { dispatch: DispatchDoc; doc: OutgoingDocument }[],
  cells: Cells,
): Promise<Document[]> {
  const docs = [...new Map(items.map((i) => [String(i.doc._id), i])).values()];
  if (docs.length === 0) return [];
  const first = await firstDispatches(
    ctx,
    docs.map((i) => i.doc._id),
  );
  const marks = docs.map((i) => outgoingMark(first.get(String(i.doc._id)) ?? i.dispatch, i.doc));
  let counted = new Set<number>();
  try {
    await ctx.db.conn.collection(OUTGOING_MARKS).insertMany(marks, { ordered: false });
  } catch (err) {
    counted = new Set(duplicateIndexes(err));
  }
  const fresh = marks.filter((_, k) => !counted.has(k));
  if (fresh.length === 0) return [];
  const bumps = fresh.map(outgoingBump);
  spread(
    cells,
    await loadAncestry(
      ctx,
      bumps.map((b) => b.orgId),
    ),
    bumps,
  );

  return fresh.flatMap((m) =>
    outgoingException(m._id as Types.ObjectId, {
      orgId: m.org as Types.ObjectId,
      createdAt: m.at as Date,
    }),
  );
}

/** A drill-down reads the marks of a subtree in id order (item-bounds.ts). */
export async function ensureOutgoingMarkIndex(coll: Collection<Document>): Promise<void> {
  await coll.createIndex({ org: 1, _id: 1 }, { name: 'stats_outgoing_org_id' });
}
