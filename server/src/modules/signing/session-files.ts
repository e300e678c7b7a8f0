import mongoose, { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';

/** Prepared PDFs of external-signing sessions: short-lived, kept apart from document versions. */
export const SESSION_BUCKET = 'signing_sessions';

function sessionBucket(ctx: HubContext) {
  const db = ctx.db.conn.db;
  if (!db) throw new AppError('UNAVAILABLE', 'Cơ sở dữ liệu chưa sẵn sàng.');

  return new mongoose.mongo.GridFSBucket(db, { bucketName: SESSION_BUCKET });
}

export async function writeSessionFile(
  ctx: HubContext,
  bytes: Uint8Array,
  sessionId: Types.ObjectId,
  expiresAt: Date,
): Promise<Types.ObjectId> {
  const upload = sessionBucket(ctx).openUploadStream(`${sessionId}.pdf`, {
    metadata: { sessionId, expiresAt },
  });
  await new Promise<void>((resolve, reject) => {
    upload.once('error', reject);
    upload.once('finish', () => resolve());
    upload.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  return upload.id;
}

export async function readSessionFile(ctx: HubContext, id: Types.ObjectId): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of sessionBucket(ctx).openDownloadStream(id)) chunks.push(c as Buffer);

  return Buffer.concat(chunks);
}

export async function deleteSessionFile(ctx: HubContext, id: Types.ObjectId): Promise<void> {
  await sessionBucket(ctx)
    .delete(id)
    .catch((err: unknown) => ctx.log.warn({ err, id }, 'could not delete a session file'));
}

/** Files of sessions that expired over an hour ago (their session documents are gone by TTL). */
export async function removeExpiredSessionFiles(ctx: HubContext): Promise<number> {
  const before = new Date(Date.now() - 60 * 60 * 1000);
  const bucket = sessionBucket(ctx);
  let removed = 0;
  for await (const f of bucket.find({ 'metadata.expiresAt': { $lt: before } })) {
    await bucket.delete(f._id).catch(() => undefined);
    removed++;
  }

  return removed;
}
