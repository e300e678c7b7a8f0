import { Types } from 'mongoose';
import type { Page } from '../../contracts/common.js';
import type { TDocument, TDocumentListQuery } from '../../contracts/documents.js';
import type { HubContext } from '../../context.js';
import { escapeRegex, foldVietnamese } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { RELEASED_STATUSES } from './document-access.js';
import { Documents } from './document.model.js';
import { presentDocument } from './document.presenter.js';

/** The organization whose documents are listed: the caller's own, unless they audit others. */
function scopeOrg(principal: Principal, orgId: string | undefined): Types.ObjectId {
  if (orgId && orgId !== principal.orgId && !hasRole(principal, 'auditor', 'hub_admin')) {
    throw new AppError('FORBIDDEN', 'Chỉ được xem danh sách văn bản của cơ quan mình.');
  }

  return new Types.ObjectId(orgId ?? principal.orgId);
}

/** Newest first, cursor = id of the last item of the previous page. */
export async function listDocuments(
  ctx: HubContext,
  principal: Principal,
  q: TDocumentListQuery,
): Promise<Page<TDocument>> {
  const orgId = scopeOrg(principal, q.orgId);
  const filter: Record<string, unknown> = { orgId };
  if (q.status) filter.status = q.status;
  // another organization's list shows only what it released (see RELEASED_STATUSES)
  if (String(orgId) !== principal.orgId)
    filter.status = { $in: RELEASED_STATUSES.filter((st) => !q.status || st === q.status) };

  return findDocumentsPage(ctx, filter, q);
}

/** What both the inbox and the trình ký lists filter and page by. */
export type DocumentPageQuery = Pick<
  TDocumentListQuery,
  'type' | 'urgency' | 'from' | 'to' | 'q' | 'cursor' | 'limit'
>;

/**
 * One page of `filter` narrowed by type, urgency, issue dates and words, newest first;
 * cursor = id of the last item of the previous page.
 */
export async function findDocumentsPage(
  ctx: HubContext,
  filter: Record<string, unknown>,
  q: DocumentPageQuery,
): Promise<Page<TDocument>> {
  if (q.type) filter['meta.type'] = q.type;
  if (q.urgency) filter['meta.urgency'] = q.urgency;
  if (q.from || q.to) {
    filter['meta.issueDate'] = {
      ...(q.from ? { $gte: q.from } : {}),
      ...(q.to ? { $lte: q.to } : {}),
    };
  }
  if (q.q) {
    const words = foldVietnamese(q.q.normalize('NFC')).split(/\s+/).filter(Boolean);
    if (words.length) filter.$and = words.map((w) => ({ folded: { $regex: escapeRegex(w) } }));
  }
  if (q.cursor) filter._id = { $lt: new Types.ObjectId(q.cursor) };
  const docs = await Documents(ctx.db.conn)
    .find(filter)
    .sort({ _id: -1 })
    .limit(q.limit + 1)
    .lean();
  const items = docs.slice(0, q.limit);
  const last = items[items.length - 1];

  return {
    items: items.map(presentDocument),
    nextCursor: docs.length > q.limit && last ? String(last._id) : null,
  };
}
