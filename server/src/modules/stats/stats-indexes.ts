import type { HubContext } from '../../context.js';
import { STATUS } from '../../contracts/exchange.js';
import { Deliveries, Dispatches } from '../exchange/index.js';
import { MARKS } from './counters.js';
import { ITEM_EXCEPTIONS, ensureExceptionIndex } from './item-bounds.js';
import { ensureMarkIndexes } from './mark-facts.js';
import { OUTGOING_MARKS, ensureOutgoingMarkIndex } from './outgoing-counters.js';

/**
 * Indexes the statistics need on collections other modules own. Each fact pipeline opens with an
 * equality on the organization and a range on one date, so both lead its index; a drill-down
 * reads a fact set in id order within an id window (item-bounds.ts), so the organization and the
 * id lead another (a merge of one index range per organization). Named, so docs/statistics.md can
 * list them and `createIndex` stays idempotent.
 */
export const STATS_INDEXES = [
  {
    model: 'deliveries',
    key: { recipientOrgId: 1, createdAt: 1 },
    name: 'stats_recipient_created',
  },
  { model: 'deliveries', key: { recipientOrgId: 1, dueDate: 1 }, name: 'stats_recipient_due' },
  // sent: the exchange's outbox index {senderOrgId: 1, createdAt: -1} serves it (delivery.model.ts)
  // received and due in id order: the exchange's inbox index (RECIPIENT_ID_INDEX) serves them
  { model: 'deliveries', key: { senderOrgId: 1, _id: 1 }, name: 'stats_sender_id' },
  // the candidates of rare drill-down flags only (fact-items.ts)
  {
    model: 'deliveries',
    key: { senderOrgId: 1, _id: 1 },
    name: 'stats_sender_recalled',
    partialFilterExpression: { 'change.kind': 'recall' },
  },
  {
    model: 'deliveries',
    key: { recipientOrgId: 1, _id: 1 },
    name: 'stats_recipient_rejected',
    partialFilterExpression: { 'history.code': STATUS.REJECTED },
  },
  { model: 'dispatches', key: { orgId: 1, createdAt: 1 }, name: 'stats_org_created' },
  { model: 'dispatches', key: { documentId: 1, createdAt: 1 }, name: 'stats_document_created' },
  { model: 'dispatches', key: { orgId: 1, documentId: 1 }, name: 'stats_org_document' },
] as const;

type StatsIndex = (typeof STATS_INDEXES)[number];

/** Name and, for a partial index, the rows it holds. */
export function indexOptions(i: StatsIndex): { name: string; partialFilterExpression?: object } {
  return {
    name: i.name,
    ...('partialFilterExpression' in i
      ? { partialFilterExpression: i.partialFilterExpression }
      : {}),
  };
}

export async function ensureStatsIndexes(ctx: HubContext): Promise<void> {
  const collections = {
    deliveries: Deliveries(ctx.db.conn).collection,
    dispatches: Dispatches(ctx.db.conn).collection,
  };
  for (const i of STATS_INDEXES)
    await collections[i.model].createIndex({ ...i.key }, indexOptions(i));
  await ensureExceptionIndex(ctx.db.conn.collection(ITEM_EXCEPTIONS));
  await ensureOutgoingMarkIndex(ctx.db.conn.collection(OUTGOING_MARKS));
  await ensureMarkIndexes(ctx.db.conn.collection(MARKS));
}
