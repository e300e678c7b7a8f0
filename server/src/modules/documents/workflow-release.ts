import { Types } from 'mongoose';
import type {
  TIssueNumber,
  TWorkflowPolicy,
  TWorkflowPolicyRead,
} from '../../contracts/workflow.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { actorOf, appendAudit } from '../audit/index.js';
import type { Principal } from '../../http/principal.js';
import type { DocumentDoc } from './document.model.js';
import { issueNumber } from './numbering.js';
import { notTheSigner } from './workflow-drafts.js';
import { advance, illegalMove, movePieces, type TMove } from './workflow.js';
import { WorkflowPolicies } from './workflow.model.js';

/** No policy stored: unsigned documents of the workflow are not dispatched. */
const DEFAULT_POLICY: TWorkflowPolicy = { unsignedDispatch: 'refuse' };

export async function getWorkflowPolicy(
  ctx: HubContext,
  orgId: string,
): Promise<TWorkflowPolicyRead> {
  const p = await WorkflowPolicies(ctx.db.conn).findById(new Types.ObjectId(orgId)).lean();

  return p
    ? { unsignedDispatch: p.unsignedDispatch, stored: true }
    : { ...DEFAULT_POLICY, stored: false };
}

export async function setWorkflowPolicy(
  ctx: HubContext,
  principal: Principal,
  policy: TWorkflowPolicy,
): Promise<TWorkflowPolicy> {
  await WorkflowPolicies(ctx.db.conn).replaceOne(
    { _id: new Types.ObjectId(principal.orgId) },
    {
      _id: new Types.ObjectId(principal.orgId),
      ...policy,
      updatedBy: new Types.ObjectId(principal.id),
      updatedAt: new Date(),
    },
    { upsert: true },
  );
  await appendAudit(ctx, {
    actor: actorOf(principal),
    action: 'workflow.policy',
    orgIds: [principal.orgId],
    target: { type: 'organization', id: principal.orgId },
    details: { ...policy },
  });

  return policy;
}

export function isSigned(doc: DocumentDoc): boolean {
  return doc.versions.some((v) => v.signature && v.signature.kind !== 'timestamp');
}

/**
 * The signing gate of a workflow document: the leader signs only what was submitted to him, the
 * clerk seals only a numbered document. Returns the move to write with the signed version, or
 * null for a document registered outside the workflow (signed as before).
 */
export function signingMove(
  doc: DocumentDoc,
  principal: Principal,
  kind: 'personal' | 'seal',
): ReturnType<typeof movePieces> | null {
  if (!doc.workflow) return null;
  const move: TMove = kind === 'personal' ? 'signed' : 'sealed';
  const pieces = movePieces(doc, principal, move);
  if (kind === 'personal' && String(doc.workflow.signerId) !== principal.id)
    throw notTheSigner(doc);

  return pieces;
}

/** Cấp số: normally after the signature; before it only where unsigned documents may go out. */
export async function numberForRelease(
  ctx: HubContext,
  principal: Principal,
  doc: DocumentDoc,
  input: TIssueNumber,
): Promise<DocumentDoc> {
  movePieces(doc, principal, 'numbered');
  if (doc.workflow?.state !== 'signed') {
    const policy = await getWorkflowPolicy(ctx, String(doc.orgId));
    if (policy.unsignedDispatch !== 'allow') throw illegalMove(doc.workflow!.state, 'numbered');
  }

  return issueNumber(ctx, principal, doc, input);
}

/**
 * Before a dispatch (exchange module): a workflow document goes out only once numbered, and an
 * unsigned document only where the organization's policy allows it. A document registered
 * outside the workflow is held to the policy only when the organization has stored one.
 */
export async function assertReleasable(ctx: HubContext, doc: DocumentDoc): Promise<void> {
  if (doc.workflow) {
    const state = doc.workflow.state;
    if (!['numbered', 'sealed', 'released'].includes(state)) throw illegalMove(state, 'released');
  }
  if (isSigned(doc)) return;
  const policy = await getWorkflowPolicy(ctx, String(doc.orgId));
  if (policy.unsignedDispatch === 'allow' || (!doc.workflow && !policy.stored)) return;
  throw new AppError(
    'INVALID_STATE',
    'Văn bản chưa được ký số; quy định của cơ quan không cho phát hành văn bản chưa ký. Hãy trình lãnh đạo ký trước khi gửi.',
    { reason: 'unsigned' },
  );
}

/** After a dispatch: the workflow document is released (audited, announced). */
export async function markReleased(
  ctx: HubContext,
  principal: Principal,
  doc: DocumentDoc,
  recipients: string[],
): Promise<void> {
  if (!doc.workflow) return;
  await advance(ctx, principal, doc, 'released', { details: { recipients } });
}
