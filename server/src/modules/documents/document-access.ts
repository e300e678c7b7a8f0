import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../auth/principal.js';
import { emitDocumentEvent } from './document.events.js';
import { Documents, type DocumentDoc } from './document.model.js';

export const NOT_FOUND_VI = 'Không tìm thấy văn bản.';

function notFound(): AppError {
  return new AppError('NOT_FOUND', NOT_FOUND_VI);
}

function asObjectId(id: string): Types.ObjectId {
  if (!Types.ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) throw notFound();

  return new Types.ObjectId(id);
}

/** Any document by id, no access check: for the hub's own background work only. */
export async function loadDocument(ctx: HubContext, id: string): Promise<DocumentDoc> {
  const doc = await Documents(ctx.db.conn).findById(asObjectId(id)).lean();
  if (!doc) throw notFound();

  return doc;
}

/**
 * A document the caller may read: their organization owns it or received it, or they are an
 * auditor. Anything else is "not found", so ids of other organizations' documents reveal nothing.
 */
export async function getReadableDocument(
  ctx: HubContext,
  principal: Principal,
  id: string,
): Promise<DocumentDoc> {
  const _id = asObjectId(id);
  const org = new Types.ObjectId(principal.orgId);
  const filter = hasRole(principal, 'auditor')
    ? { _id }
    : { _id, $or: [{ orgId: org }, { sharedWith: org }] };
  const doc = await Documents(ctx.db.conn).findOne(filter).lean();
  if (!doc) throw notFound();

  return doc;
}

/** A document of the caller's own organization (to change it: sign, dispatch, recall). */
export async function getOwnDocument(
  ctx: HubContext,
  principal: Principal,
  id: string,
): Promise<DocumentDoc> {
  const doc = await Documents(ctx.db.conn)
    .findOne({ _id: asObjectId(id), orgId: new Types.ObjectId(principal.orgId) })
    .lean();
  if (!doc) throw notFound();

  return doc;
}

/** Reports a read of a confidential document (độ mật khác "thường") to the audit hook. */
export function reportConfidentialRead(
  doc: DocumentDoc,
  principal: Principal,
  what: 'metadata' | 'file',
): void {
  if (doc.meta.confidentiality === 'thuong') return;
  emitDocumentEvent('document.read-confidential', {
    documentId: String(doc._id),
    orgId: String(doc.orgId),
    confidentiality: doc.meta.confidentiality,
    readerId: principal.id,
    readerOrgId: principal.orgId,
    what,
  });
}
