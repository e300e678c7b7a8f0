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

/** One document per outgoing document already counted (its first dispatch), for idempotence. */
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

/** What an outgoing document adds, in the period of its first dispatch, to its sender's counters. */
export function outgoingBump(
  first: Pick<DispatchDoc, 'orgId' | 'createdAt' | 'versionId'>,
  doc: OutgoingDocument,
): Bump {
  const kinds = carriedSignatures(doc.versions, first.versionId);

  return {
    orgId: String(first.orgId),
    at: first.createdAt,
    inc: {
      outgoing: 1,
      seal: kinds.has('seal') ? 1 : 0,
      personal: kinds.has('personal') ? 1 : 0,
      [`outU.${doc.meta.urgency}`]: 1,
      [`outT.${fieldKey(doc.meta.type)}`]: 1,
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
  try {
    await ctx.db.conn.collection(OUTGOING_MARKS).insertOne({ _id: doc._id, at: first.createdAt });
  } catch (err) {
    if ((err as { code?: number }).code === 11000) return;
    throw err;
  }
  const bump = outgoingBump(first, doc);
  const cells: Cells = new Map();
  spread(cells, await loadAncestry(ctx, [bump.orgId]), [bump]);
  await writeCells(ctx, cells);
}
