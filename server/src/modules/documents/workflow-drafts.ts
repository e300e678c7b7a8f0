import { Types } from 'mongoose';
import type { TDocument } from '../../contracts/documents.js';
import type { TDraftMeta, TDraftPatch, TSignerOption } from '../../contracts/workflow.js';
import type { HubContext } from '../../context.js';
import { foldVietnamese } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../http/principal.js';
import { Users } from '../auth/index.js';
import { addVersion } from './add-version.js';
import { createDocument, type UploadedFile } from './create-document.js';
import { deleteFile } from './document.files.js';
import { Documents, type DocumentDoc } from './document.model.js';
import { presentDocument } from './document.presenter.js';
import { numberedLabel } from './numbering.js';
import {
  MOVES,
  advance,
  announce,
  getWorkflowDocument,
  illegalMove,
  movePieces,
  stepOf,
} from './workflow.js';

/** Dự thảo: a document registered without a number; it is numbered at release. */
export async function createDraft(
  ctx: HubContext,
  principal: Principal,
  meta: TDraftMeta,
  file: UploadedFile,
  idempotencyKey: string | null,
): Promise<TDocument & { replayed?: boolean }> {
  const step = stepOf(principal, 'drafted', 'draft');
  const created = await createDocument(ctx, principal, meta, file, idempotencyKey, {
    state: 'draft',
    history: [step],
  });
  if (!created.replayed) {
    const doc = await Documents(ctx.db.conn).findById(created.id).lean();
    await announce(ctx, principal, doc!, step);
  }

  return created;
}

/** Until it is submitted, a draft's metadata may change (the number excepted: issued at release). */
export async function editDraft(
  ctx: HubContext,
  principal: Principal,
  id: string,
  patch: TDraftPatch,
): Promise<TDocument> {
  const doc = await getWorkflowDocument(ctx, principal, id);
  const meta = { ...doc.meta, ...patch };
  const label = numberedLabel(undefined, meta.notation);
  const set: Record<string, unknown> = {
    codeLabel: label,
    folded: foldVietnamese(`${meta.subject} ${label}`),
    year: Number(meta.issueDate.slice(0, 4)),
  };
  for (const [k, v] of Object.entries(patch)) set[`meta.${k}`] = v;
  const updated = await advance(ctx, principal, doc, 'edited', {
    set,
    details: { fields: Object.keys(patch) },
  });

  return presentDocument(updated);
}

/** A replacement file: a new version of the draft, the earlier ones kept. */
export async function replaceDraftFile(
  ctx: HubContext,
  principal: Principal,
  id: string,
  file: UploadedFile,
): Promise<TDocument> {
  const doc = await getWorkflowDocument(ctx, principal, id);
  const move = movePieces(doc, principal, 'replaced');
  const { document, version } = await addVersion(ctx, id, file.bytes, {
    fileName: file.originalName ?? 'du-thao.pdf',
    reason: 'replacement',
    createdBy: principal.id,
    move,
  });
  await announce(ctx, principal, document, move.step, { versionId: String(version._id) });

  return presentDocument(document);
}

/** A draft (or a returned one) may be deleted, its files with it; nothing else may. */
export async function deleteDraft(
  ctx: HubContext,
  principal: Principal,
  id: string,
): Promise<void> {
  const doc = await getWorkflowDocument(ctx, principal, id);
  const { step } = movePieces(doc, principal, 'deleted');
  const gone = await Documents(ctx.db.conn)
    .findOneAndDelete({ _id: doc._id, 'workflow.state': { $in: MOVES.deleted.from } })
    .lean();
  if (!gone) throw illegalMove((await stateNow(ctx, doc)) ?? doc.workflow.state, 'deleted');
  await Promise.all(gone.versions.map((v) => deleteFile(ctx, v.fileId).catch(() => undefined)));
  await announce(ctx, principal, gone, step);
}

async function stateNow(ctx: HubContext, doc: DocumentDoc) {
  return (await Documents(ctx.db.conn).findById(doc._id, { workflow: 1 }).lean())?.workflow?.state;
}

/** The organization's signer accounts: whom a draft may be submitted to. */
export async function listSigners(ctx: HubContext, principal: Principal): Promise<TSignerOption[]> {
  const users = await Users(ctx.db.conn)
    .find({ orgId: new Types.ObjectId(principal.orgId), roles: 'signer', active: true })
    .sort({ fullName: 1 })
    .limit(500)
    .lean();

  return users.map((u) => ({
    id: String(u._id),
    fullName: u.fullName,
    ...(u.title ? { title: u.title } : {}),
  }));
}

/**
 * Trình ký: to a named signer of the same organization. The metadata's signer block becomes that
 * person, so the page says who signs and only that person's certificate can sign it.
 */
export async function submitDraft(
  ctx: HubContext,
  principal: Principal,
  id: string,
  signerId: string,
): Promise<TDocument> {
  const doc = await getWorkflowDocument(ctx, principal, id);
  const signer = await Users(ctx.db.conn)
    .findOne({
      _id: new Types.ObjectId(signerId),
      orgId: doc.orgId,
      roles: 'signer',
      active: true,
    })
    .lean();
  if (!signer) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Người ký phải là tài khoản đang hoạt động, có vai trò người ký, của chính cơ quan.',
    );
  }
  const updated = await advance(ctx, principal, doc, 'submitted', {
    set: {
      'workflow.signerId': signer._id,
      'workflow.signerName': signer.fullName,
      'workflow.returnComment': '',
      'meta.signer.fullName': signer.fullName,
      ...(signer.title ? { 'meta.signer.position': signer.title } : {}),
    },
    details: { signerId: String(signer._id), signerName: signer.fullName },
  });

  return presentDocument(updated);
}

export function notTheSigner(doc: DocumentDoc): AppError {
  return new AppError(
    'FORBIDDEN',
    `Văn bản được trình cho ${doc.workflow?.signerName ?? 'người khác'} ký; chỉ chính người đó được ký hoặc trả lại.`,
  );
}

/** Trả lại: the named signer hands the draft back with a comment; the drafter reworks it. */
export async function returnDraft(
  ctx: HubContext,
  principal: Principal,
  id: string,
  comment: string,
): Promise<TDocument> {
  const doc = await getWorkflowDocument(ctx, principal, id);
  movePieces(doc, principal, 'returned');
  if (String(doc.workflow.signerId) !== principal.id) throw notTheSigner(doc);
  const updated = await advance(ctx, principal, doc, 'returned', {
    comment,
    set: { 'workflow.returnComment': comment },
  });

  return presentDocument(updated);
}
