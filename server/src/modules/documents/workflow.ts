import { Types, type UpdateQuery } from 'mongoose';
import type {
  TWorkflowAction,
  TWorkflowInfo,
  TWorkflowEvent,
  TWorkflowState,
} from '../../contracts/workflow.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { actorOf, appendAudit } from '../audit/index.js';
import type { Principal } from '../../http/principal.js';
import { publishEvents } from '../events/index.js';
import { NOT_FOUND_VI } from './document-access.js';
import { Documents, type DocumentDoc, type WorkflowStepDoc } from './document.model.js';

/**
 * Trình ký: the one table of legal moves. Every move is one conditional write (the state it
 * starts from is part of the filter), so two people acting at once cannot both win; the loser
 * gets 409 with the state the document is in now.
 */
export const MOVES: Record<
  Exclude<TWorkflowAction, 'drafted'>,
  { from: readonly TWorkflowState[]; to: TWorkflowState | null }
> = {
  edited: { from: ['draft', 'returned'], to: null },
  replaced: { from: ['draft', 'returned'], to: null },
  deleted: { from: ['draft', 'returned'], to: null },
  submitted: { from: ['draft', 'returned'], to: 'submitted' },
  returned: { from: ['submitted'], to: 'returned' },
  signed: { from: ['submitted'], to: 'signed' },
  // from a draft only where the organization allows unsigned documents (workflow-release.ts)
  numbered: { from: ['signed', 'draft', 'returned'], to: 'numbered' },
  sealed: { from: ['numbered'], to: 'sealed' },
  released: { from: ['numbered', 'sealed', 'released'], to: 'released' },
};
export type TMove = keyof typeof MOVES;

export const STATE_LABELS: Record<TWorkflowState, string> = {
  draft: 'dự thảo',
  submitted: 'chờ ký',
  returned: 'bị trả lại',
  signed: 'đã ký, chờ phát hành',
  numbered: 'đã cấp số',
  sealed: 'đã đóng dấu',
  released: 'đã phát hành',
};

const ACTION_LABELS: Record<TMove, string> = {
  edited: 'sửa dự thảo',
  replaced: 'thay tệp dự thảo',
  deleted: 'xóa dự thảo',
  submitted: 'trình ký',
  returned: 'trả lại',
  signed: 'ký',
  numbered: 'cấp số',
  sealed: 'đóng dấu',
  released: 'phát hành',
};

export function illegalMove(state: TWorkflowState, move: TMove): AppError {
  return new AppError(
    'INVALID_STATE',
    `Văn bản đang ở trạng thái "${STATE_LABELS[state]}": không thể ${ACTION_LABELS[move]}.`,
    { state, action: move },
  );
}

/** A workflow document of the caller's organization, or 404 (another organization's, too). */
export async function getWorkflowDocument(
  ctx: HubContext,
  principal: Principal,
  id: string,
): Promise<DocumentDoc & { workflow: NonNullable<DocumentDoc['workflow']> }> {
  const doc = Types.ObjectId.isValid(id)
    ? await Documents(ctx.db.conn)
        .findOne({ _id: new Types.ObjectId(id), orgId: new Types.ObjectId(principal.orgId) })
        .lean()
    : null;
  if (!doc) throw new AppError('NOT_FOUND', NOT_FOUND_VI);
  if (!doc.workflow) {
    throw new AppError(
      'INVALID_STATE',
      'Văn bản này được đăng ký trực tiếp, không đi qua quy trình trình ký.',
    );
  }

  return doc as DocumentDoc & { workflow: NonNullable<DocumentDoc['workflow']> };
}

export function assertMove(doc: DocumentDoc, move: TMove): void {
  const state = doc.workflow?.state;
  if (!state || !MOVES[move].from.includes(state)) throw illegalMove(state ?? 'draft', move);
}

export function stepOf(
  principal: Principal,
  move: TMove | 'drafted',
  state: TWorkflowState,
  comment?: string,
): WorkflowStepDoc {
  return {
    action: move,
    state,
    at: new Date(),
    by: new Types.ObjectId(principal.id),
    byName: principal.name,
    ...(comment ? { comment } : {}),
  };
}

/**
 * The filter and update of one move, to be written alone (advance) or together with another
 * change of the same document (a signature's new version, a dispatch).
 */
export function movePieces(
  doc: DocumentDoc,
  principal: Principal,
  move: TMove,
  opts: { set?: Record<string, unknown>; comment?: string } = {},
): { filter: Record<string, unknown>; update: UpdateQuery<DocumentDoc>; step: WorkflowStepDoc } {
  assertMove(doc, move);
  const to = MOVES[move].to ?? doc.workflow!.state;
  const step = stepOf(principal, move, to, opts.comment);

  return {
    filter: { 'workflow.state': { $in: MOVES[move].from } },
    update: {
      $set: { 'workflow.state': to, ...(opts.set ?? {}) },
      $push: { 'workflow.history': step },
    },
    step,
  };
}

/** Who a move concerns: the signer when it is his turn, the drafter when it comes back. */
function concerned(doc: DocumentDoc, move: TMove | 'drafted'): string[] {
  const signer = doc.workflow?.signerId ? [String(doc.workflow.signerId)] : [];
  const drafter = [String(doc.createdBy)];
  if (move === 'submitted') return signer;
  if (move === 'returned' || move === 'signed') return drafter;

  return [...new Set([...drafter, ...signer])];
}

/** Audit entry, then the live event: after the write, never before it. */
export async function announce(
  ctx: HubContext,
  principal: Principal,
  doc: DocumentDoc,
  step: WorkflowStepDoc,
  details: Record<string, unknown> = {},
): Promise<void> {
  const move = step.action as TMove | 'drafted';
  await appendAudit(ctx, {
    actor: actorOf(principal),
    action: `workflow.${move}`,
    orgIds: [String(doc.orgId)],
    target: { type: 'document', id: String(doc._id) },
    details: {
      state: step.state,
      ...(step.comment ? { comment: step.comment } : {}),
      ...details,
    },
  });
  const data: TWorkflowEvent = {
    documentId: String(doc._id),
    action: move,
    state: step.state,
    subject: doc.meta.subject,
    codeLabel: doc.codeLabel,
    by: principal.id,
    byName: principal.name,
    to: concerned(doc, move),
    ...(step.comment ? { comment: step.comment } : {}),
  };
  await publishEvents(ctx, [
    {
      orgId: String(doc.orgId),
      type: 'workflow:changed',
      key: `workflow:${String(doc._id)}:${step.at.getTime()}:${move}`,
      data,
    },
  ]);
}

/** One move written alone: conditional on the state it starts from; audited and announced. */
export async function advance(
  ctx: HubContext,
  principal: Principal,
  doc: DocumentDoc,
  move: TMove,
  opts: { set?: Record<string, unknown>; comment?: string; details?: Record<string, unknown> } = {},
): Promise<DocumentDoc> {
  const { filter, update, step } = movePieces(doc, principal, move, opts);
  const updated = await Documents(ctx.db.conn)
    .findOneAndUpdate({ _id: doc._id, ...filter }, update, { new: true })
    .lean();
  if (!updated) {
    const now = await Documents(ctx.db.conn).findById(doc._id, { workflow: 1 }).lean();
    throw illegalMove(now?.workflow?.state ?? doc.workflow!.state, move);
  }
  await announce(ctx, principal, updated, step, opts.details);

  return updated;
}

export function presentWorkflow(doc: DocumentDoc): TWorkflowInfo | undefined {
  const w = doc.workflow;
  if (!w) return undefined;

  return {
    state: w.state,
    ...(w.signerId ? { signerId: String(w.signerId) } : {}),
    ...(w.signerName ? { signerName: w.signerName } : {}),
    ...(w.returnComment ? { returnComment: w.returnComment } : {}),
    history: w.history.map((h) => ({
      action: h.action,
      state: h.state,
      at: h.at.toISOString(),
      by: String(h.by),
      byName: h.byName,
      ...(h.comment ? { comment: h.comment } : {}),
    })),
  };
}
