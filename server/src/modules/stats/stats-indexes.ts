import type { HubContext } from '../../context.js';
import { Deliveries, Dispatches } from '../exchange/delivery.model.js';

/**
 * Indexes the statistics need on collections other modules own; each fact pipeline opens with
 * an equality on the organization and a range on one date, so both lead its index. Named, so
 * docs/statistics.md can list them and `createIndex` stays idempotent.
 */
export const STATS_INDEXES = [
  {
    model: 'deliveries',
    key: { recipientOrgId: 1, createdAt: 1 },
    name: 'stats_recipient_created',
  },
  { model: 'deliveries', key: { recipientOrgId: 1, dueDate: 1 }, name: 'stats_recipient_due' },
  { model: 'deliveries', key: { senderOrgId: 1, createdAt: 1 }, name: 'stats_sender_created' },
  { model: 'dispatches', key: { orgId: 1, createdAt: 1 }, name: 'stats_org_created' },
  { model: 'dispatches', key: { documentId: 1, createdAt: 1 }, name: 'stats_document_created' },
] as const;

export async function ensureStatsIndexes(ctx: HubContext): Promise<void> {
  const collections = {
    deliveries: Deliveries(ctx.db.conn).collection,
    dispatches: Dispatches(ctx.db.conn).collection,
  };
  for (const i of STATS_INDEXES)
    await collections[i.model].createIndex({ ...i.key }, { name: i.name });
}
