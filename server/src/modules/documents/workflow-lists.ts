import { Types } from 'mongoose';
import type { Page } from '../../contracts/common.js';
import type { TDocument } from '../../contracts/documents.js';
import type {
  TWorkflowCounts,
  TWorkflowList,
  TWorkflowListQuery,
  TWorkflowState,
} from '../../contracts/workflow.js';
import type { HubContext } from '../../context.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { Documents } from './document.model.js';
import { findDocumentsPage } from './list-documents.js';

const TO_RELEASE: TWorkflowState[] = ['signed', 'numbered', 'sealed'];

/**
 * The three lists of trình ký, always inside the caller's organization:
 * - drafts: my drafts, and the ones handed back to me;
 * - to-sign: submitted to me;
 * - to-release: signed, for the clerks to number, seal and send.
 */
function listFilter(principal: Principal, list: TWorkflowList): Record<string, unknown> | null {
  const me = new Types.ObjectId(principal.id);
  const orgId = new Types.ObjectId(principal.orgId);
  if (list === 'drafts') {
    return { orgId, createdBy: me, 'workflow.state': { $in: ['draft', 'returned'] } };
  }
  if (list === 'to-sign') {
    return hasRole(principal, 'signer')
      ? { orgId, 'workflow.state': 'submitted', 'workflow.signerId': me }
      : null;
  }

  return hasRole(principal, 'clerk') ? { orgId, 'workflow.state': { $in: TO_RELEASE } } : null;
}

/** Newest first; filters and search as the inbox's (type, urgency, dates, words). */
export async function listWorkflow(
  ctx: HubContext,
  principal: Principal,
  list: TWorkflowList,
  q: TWorkflowListQuery,
): Promise<Page<TDocument>> {
  const filter = listFilter(principal, list);
  if (!filter) return { items: [], nextCursor: null };

  return findDocumentsPage(ctx, filter, q);
}

/** The menu's counts. */
export async function workflowCounts(
  ctx: HubContext,
  principal: Principal,
): Promise<TWorkflowCounts> {
  const count = async (list: TWorkflowList) => {
    const f = listFilter(principal, list);

    return f ? Documents(ctx.db.conn).countDocuments(f) : 0;
  };
  const [drafts, toSign, toRelease] = await Promise.all([
    count('drafts'),
    count('to-sign'),
    count('to-release'),
  ]);

  return { drafts, 'to-sign': toSign, 'to-release': toRelease };
}
