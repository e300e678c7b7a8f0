import type { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import type { RecipientGrant } from '../documents/index.js';
import { Deliveries, type DeliveryDoc } from './delivery.model.js';
import { presentDelivery } from './present.js';
import { attestedVersion } from './receipts.js';

/**
 * A delivery its recipient may no longer read from: the sender recalled it (13; Decree 30 art.
 * 18.4(b): the recipient deletes the copy on the notice), whether the recipient has answered yet
 * or not, or an agreed recall withdrew it. A refusal (16) is recorded for the sender but does not
 * give the reading back: otherwise any recipient could undo a recall by refusing it.
 */
export function recalledFromRecipient(d: Pick<DeliveryDoc, 'withdrawn' | 'change'>): boolean {
  return d.withdrawn || d.change?.kind === 'recall';
}

/**
 * The versions (by SHA-256) a delivery brought to its recipient: every version one of its
 * receipts attests (the arrival's is the dispatched one; each later receipt names the version the
 * delivery was at), the one it is at now, and an update the sender has asked it to take (the
 * recipient has to read it to agree or refuse; a refused one is not delivered).
 */
function deliveredShas(d: DeliveryDoc): string[] {
  const shas = [d.versionSha256, ...d.history.map((h) => attestedVersion(h.receipt))];
  if (d.change?.kind === 'update' && d.change.state === 'requested' && d.change.versionSha256)
    shas.push(d.change.versionSha256);

  return shas.filter((s): s is string => s !== null);
}

/** What the organization's open (not recalled) deliveries of the document let it read, if any. */
export async function recipientGrant(
  ctx: HubContext,
  documentId: Types.ObjectId,
  orgId: Types.ObjectId,
): Promise<RecipientGrant | null> {
  const deliveries = await Deliveries(ctx.db.conn)
    .find(
      { documentId, recipientOrgId: orgId },
      { versionSha256: 1, history: 1, change: 1, withdrawn: 1 },
    )
    .lean();
  const open = deliveries.filter((d) => !recalledFromRecipient(d));
  if (open.length === 0) return null;

  return {
    shas: new Set(open.flatMap(deliveredShas)),
    current: new Set(open.map((d) => d.versionSha256)),
  };
}

/** Every delivery of the document, oldest first. */
export async function deliveriesOf(ctx: HubContext, documentId: Types.ObjectId) {
  const ds = await Deliveries(ctx.db.conn).find({ documentId }).sort({ _id: 1 }).lean();

  return ds.map(presentDelivery);
}
