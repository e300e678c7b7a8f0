import type { Collection, Document } from 'mongodb';
import type { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import type { DocumentDoc } from '../documents/document.model.js';
import { Dispatches, type DispatchDoc } from '../exchange/delivery.model.js';
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
  const first =
    (await Dispatches(ctx.db.conn)
      .find({ documentId: doc._id }, { orgId: 1, createdAt: 1, versionId: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .limit(1)
      .lean()
      .then((r) => r[0])) ?? dispatch;
  const mark = outgoingMark(first, doc);
  try {
    await ctx.db.conn.collection(OUTGOING_MARKS).insertOne(mark);
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return;
    throw err;
  }
  const bump = outgoingBump(mark);
  const cells: Cells = new Map();
  spread(cells, await loadAncestry(ctx, [bump.orgId]), [bump]);
  await Promise.all([
    writeCells(ctx, cells),
    recordExceptions(ctx, outgoingException(doc._id, first)),
  ]);
}

/** A drill-down reads the marks of a subtree in id order (item-bounds.ts). */
export async function ensureOutgoingMarkIndex(coll: Collection<Document>): Promise<void> {
  await coll.createIndex({ org: 1, _id: 1 }, { name: 'stats_outgoing_org_id' });
}
