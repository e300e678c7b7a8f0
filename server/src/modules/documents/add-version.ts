import { Types, type UpdateQuery } from 'mongoose';
import type {
  TDocumentStatus,
  TDocumentVersion,
  TSignatureInfo,
} from '../../contracts/documents.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import {
  deleteFile,
  joinFile,
  readFileBytes,
  writeFile,
  type FileBytes,
} from './document.files.js';
import { isUnreachable } from '../../db/unreachable.js';
import { Documents, type DocumentDoc, type VersionDoc } from './document.model.js';
import { loadDocument } from './document-access.js';
import { assertUsablePdf, sanitizeFileName } from './pdf-check.js';

export type AddVersionOptions = {
  fileName: string;
  reason: TDocumentVersion['reason'];
  createdBy: string;
  signature?: TSignatureInfo;
  /** Set in the same write as the version (e.g. 'signed'), so both change together or not at all. */
  status?: TDocumentStatus;
  /**
   * The version the new bytes were derived from. When another version was added meanwhile the
   * write is refused (409): a signature over an older version would silently drop the newer one.
   */
  basedOnVersionId?: string;
  /** The Idempotency-Key of the request that made this version (a retried signing finds it). */
  idempotencyKey?: string;
  /** A workflow move written in the same update (workflow.ts movePieces): both or neither. */
  move?: { filter: Record<string, unknown>; update: UpdateQuery<DocumentDoc> };
};

/** Writes a version's file (its name sanitized) and returns the version that is to point at it. */
export async function storeVersion(
  ctx: HubContext,
  bytes: FileBytes,
  name: string | undefined,
  of: { orgId: Types.ObjectId | string; _id: Types.ObjectId },
  by: string,
  reason: VersionDoc['reason'],
): Promise<VersionDoc> {
  const fileName = sanitizeFileName(name);
  const stored = await writeFile(ctx, bytes, fileName, {
    orgId: String(of.orgId),
    documentId: String(of._id),
  });

  return {
    _id: new Types.ObjectId(),
    fileId: stored.fileId,
    fileName,
    size: stored.size,
    sha256: stored.sha256,
    createdAt: new Date(),
    createdBy: new Types.ObjectId(by),
    reason,
  };
}

/**
 * Stores bytes as a new version: the GridFS file first, then one updateOne pushing the version
 * (the commit point). A failed commit removes the file; a crash in between leaves an orphan
 * that removeOrphanFiles() collects.
 */
export async function addVersion(
  ctx: HubContext,
  documentId: string,
  bytes: FileBytes,
  opts: AddVersionOptions,
): Promise<{ document: DocumentDoc; version: VersionDoc }> {
  const doc = await loadDocument(ctx, documentId);
  // the hub's own signed output was produced from a parsed PDF; anything else is checked here
  if (opts.reason !== 'signature') await assertUsablePdf(joinFile(bytes));
  const stored = await storeVersion(ctx, bytes, opts.fileName, doc, opts.createdBy, opts.reason);
  const version: VersionDoc = {
    ...stored,
    ...(opts.signature ? { signature: opts.signature } : {}),
    ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
  };
  const filter = {
    ...(opts.basedOnVersionId
      ? { _id: doc._id, currentVersionId: new Types.ObjectId(opts.basedOnVersionId) }
      : { _id: doc._id }),
    ...(opts.move?.filter ?? {}),
  };
  const moveSet = (opts.move?.update.$set ?? {}) as Record<string, unknown>;
  const updated = await Documents(ctx.db.conn)
    .findOneAndUpdate(
      filter,
      {
        $push: { versions: version, ...((opts.move?.update.$push ?? {}) as object) },
        $set: {
          currentVersionId: version._id,
          ...(opts.status ? { status: opts.status } : {}),
          ...moveSet,
        },
      },
      { new: true },
    )
    .lean()
    .catch(async (err: unknown) => {
      // the database went away mid-write: the version may be committed all the same (only the
      // answer was lost), so its file stays; removeOrphanFiles() takes it if it was not
      if (!isUnreachable(err)) await deleteFile(ctx, stored.fileId);
      throw err;
    });
  if (!updated) {
    await deleteFile(ctx, stored.fileId);
    throw new AppError(
      'CONFLICT',
      opts.move
        ? 'Văn bản vừa có phiên bản mới hoặc vừa đổi trạng thái trong lúc xử lý; hãy tải lại văn bản.'
        : 'Văn bản vừa có phiên bản mới trong lúc xử lý; hãy tải lại văn bản và thực hiện lại.',
    );
  }

  return { document: updated, version };
}

/** Bytes of one stored version, found by the version's id. */
export async function readVersionBytes(ctx: HubContext, versionId: string): Promise<Buffer> {
  const id = Types.ObjectId.isValid(versionId) ? new Types.ObjectId(versionId) : null;
  const doc = id
    ? await Documents(ctx.db.conn).findOne({ 'versions._id': id }, { 'versions.$': 1 }).lean()
    : null;
  const version = doc?.versions[0];
  if (!version) throw new AppError('NOT_FOUND', 'Không tìm thấy phiên bản văn bản.');

  return readFileBytes(ctx, version.fileId);
}

/** Adds organizations that received the document (called by the exchange module). */
export async function shareDocument(
  ctx: HubContext,
  documentId: string,
  orgIds: string[],
): Promise<void> {
  const doc = await loadDocument(ctx, documentId);
  const ids = orgIds.map((o) => new Types.ObjectId(o));
  await Documents(ctx.db.conn).updateOne(
    { _id: doc._id },
    { $addToSet: { sharedWith: { $each: ids } } },
  );
}

export async function setDocumentStatus(
  ctx: HubContext,
  documentId: string,
  status: TDocumentStatus,
): Promise<void> {
  const doc = await loadDocument(ctx, documentId);
  await Documents(ctx.db.conn).updateOne({ _id: doc._id }, { $set: { status } });
}

/**
 * A dispatch in one write: the recipients may read the document from now on, and it is marked
 * dispatched. No read first: it sits on the exchange's hot path.
 */
export async function markDispatched(
  ctx: HubContext,
  documentId: string,
  orgIds: string[],
): Promise<void> {
  const ids = orgIds.map((o) => new Types.ObjectId(o));
  await Documents(ctx.db.conn).updateOne(
    { _id: new Types.ObjectId(documentId) },
    { $addToSet: { sharedWith: { $each: ids } }, $set: { status: 'dispatched' } },
  );
}
