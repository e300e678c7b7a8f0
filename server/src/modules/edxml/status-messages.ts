import type { TStatusMessage } from '../../contracts/edxml.js';
import { STATUS, STATUS_LABELS, type TStatusCode } from '../../contracts/exchange.js';
import type { HubContext } from '../../context.js';
import { writeStatus } from '../../lib/edxml/index.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../http/principal.js';
import { loadDocument } from '../documents/index.js';
import { type HistoryDoc, getDelivery } from '../exchange/index.js';
import { findOrgs, type OrgDoc } from '../orgs/index.js';
import { signerForOrg } from './edxml-signer.js';
import { documentIdOf, organOf } from './mapping.js';

export type StatusMessage = TStatusMessage;

function description(h: HistoryDoc): string {
  return h.reason ?? h.note ?? STATUS_LABELS[h.code].vi;
}

/**
 * Every transition of a delivery as an edXML Status message, signed by the organization that
 * made it (the recipient; the sender for 13). `code` keeps only that code's messages.
 */
export async function statusMessages(
  ctx: HubContext,
  p: Principal,
  deliveryId: string,
  code?: TStatusCode,
): Promise<StatusMessage[]> {
  const d = await getDelivery(ctx, p, deliveryId);
  const doc = await loadDocument(ctx, String(d.documentId));
  const orgs = new Map<string, OrgDoc>(
    (await findOrgs(ctx, { ids: [d.senderOrgId, d.recipientOrgId] })).map((o) => [
      String(o._id),
      o,
    ]),
  );
  const sender = orgs.get(String(d.senderOrgId))!;
  const entries = d.history.filter((h) => !code || h.code === code);
  if (code && entries.length === 0) {
    throw new AppError('NOT_FOUND', `Văn bản đến chưa có trạng thái ${code}.`);
  }
  const responseFor = {
    organId: sender.code,
    code: doc.codeLabel,
    promulgationDate: doc.meta.issueDate,
    documentId: documentIdOf(doc, sender.code),
  };

  return Promise.all(
    entries.map(async (h) => {
      const fromId = h.code === STATUS.RECALLED ? String(d.senderOrgId) : String(d.recipientOrgId);
      const { signer, by } = await signerForOrg(ctx, fromId);
      const xml = await writeStatus(
        {
          responseFor,
          from: organOf(orgs.get(fromId)!),
          statusCode: h.code,
          description: description(h),
          timestamp: h.at,
          staffInfo: { staff: h.actorName },
        },
        signer,
      );

      return { code: h.code, at: h.at.toISOString(), signedBy: by, xml };
    }),
  );
}
