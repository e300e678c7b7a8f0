import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { downloadFile, fileBucket, uploadFile, type GridFSBucket } from '../../db/files.js';
import { Documents } from './document.model.js';

export const BUCKET = 'files';

type ObjectId = Types.ObjectId;

export type StoredFile = { fileId: ObjectId; size: number; sha256: string };

/** A file's bytes, or its consecutive pieces: a signed version is its input + the appended update. */
export type FileBytes = Uint8Array | readonly Uint8Array[];

export function filePieces(bytes: FileBytes): readonly Uint8Array[] {
  return bytes instanceof Uint8Array ? [bytes] : bytes;
}

export function joinFile(bytes: FileBytes): Uint8Array {
  return bytes instanceof Uint8Array ? bytes : Buffer.concat(bytes);
}

export type FileMetadata = { sha256: string; orgId: string; documentId: string };

export function bucket(ctx: HubContext): GridFSBucket {
  return fileBucket(ctx.db.conn, BUCKET);
}

export function sha256Hex(bytes: FileBytes): string {
  const hash = createHash('sha256');
  for (const piece of filePieces(bytes)) hash.update(piece);
  return hash.digest('hex');
}

/** Writes bytes as a new GridFS file; files are never rewritten, a change is a new file. */
export async function writeFile(
  ctx: HubContext,
  bytes: FileBytes,
  fileName: string,
  meta: Omit<FileMetadata, 'sha256'>,
): Promise<StoredFile> {
  const sha256 = sha256Hex(bytes);
  const fileId = await uploadFile(bucket(ctx), fileName, filePieces(bytes), {
    ...meta,
    sha256,
  } satisfies FileMetadata);
  const size = filePieces(bytes).reduce((n, piece) => n + piece.byteLength, 0);

  return { fileId, size, sha256 };
}

/** Best effort: used to undo a file whose version could not be committed. */
export async function deleteFile(ctx: HubContext, fileId: ObjectId): Promise<void> {
  await bucket(ctx)
    .delete(fileId)
    .catch((err: unknown) => ctx.log.warn({ err, fileId }, 'could not delete an unused file'));
}

export function openFileStream(ctx: HubContext, fileId: ObjectId): Readable {
  return bucket(ctx).openDownloadStream(fileId);
}

export async function readFileBytes(ctx: HubContext, fileId: ObjectId): Promise<Buffer> {
  return downloadFile(bucket(ctx), fileId);
}

/**
 * Deletes GridFS files that no document version references and that are older than
 * `olderThanMs` (younger ones may belong to an upload whose version is being committed right
 * now). A crash between writing the file and pushing its version leaves such a file behind.
 */
export async function removeOrphanFiles(ctx: HubContext, olderThanMs: number): Promise<number> {
  const before = new Date(Date.now() - olderThanMs);
  const files = bucket(ctx).find({ uploadDate: { $lt: before } }, { projection: { _id: 1 } });
  const docs = Documents(ctx.db.conn);
  let removed = 0;
  for await (const f of files) {
    const used = await docs.exists({ 'versions.fileId': f._id });
    if (used) continue;
    await bucket(ctx).delete(f._id);
    removed++;
  }

  return removed;
}
