import type { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { downloadFile, fileBucket, uploadFile } from '../../db/files.js';

/** Prepared PDFs of external-signing sessions: short-lived, kept apart from document versions. */
export const SESSION_BUCKET = 'signing_sessions';

const sessionBucket = (ctx: HubContext) => fileBucket(ctx.db.conn, SESSION_BUCKET);

export async function writeSessionFile(
  ctx: HubContext,
  bytes: Uint8Array,
  sessionId: Types.ObjectId,
  expiresAt: Date,
): Promise<Types.ObjectId> {
  return uploadFile(sessionBucket(ctx), `${sessionId}.pdf`, [bytes], { sessionId, expiresAt });
}

export async function readSessionFile(ctx: HubContext, id: Types.ObjectId): Promise<Buffer> {
  return downloadFile(sessionBucket(ctx), id);
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
