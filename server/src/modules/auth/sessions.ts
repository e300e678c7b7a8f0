import { randomUUID } from 'node:crypto';
import { Schema, Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { ObjectId, nullable, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';
import { orgRoom, sessionRoom, userRoom } from '../../realtime/rooms.js';
import { RefreshTokens } from './token.model.js';
import type { Principal } from '../../http/principal.js';
import { REFRESH_TTL_S, issueAccessToken, verifyAccessToken, type AccessToken } from './tokens.js';

/**
 * A login session: the family of refresh tokens from one login, and every access token minted in
 * it (they carry its id as `sid`). An access token is only as good as its session, so logout,
 * disabling a user, a role change or deactivating an organization end access at once instead of
 * when the 15-minute token expires.
 */
export type SessionDoc = {
  _id: string; // the refresh-token family
  userId: Types.ObjectId;
  orgId: Types.ObjectId;
  revokedAt: Date | null;
  expiresAt: Date;
};

const schema = new Schema<SessionDoc>(
  {
    _id: String,
    userId: required(ObjectId, { index: true }),
    orgId: required(ObjectId, { index: true }),
    revokedAt: nullable(Date),
    expiresAt: required(Date, { expires: 0 }),
  },
  { timestamps: { createdAt: true, updatedAt: false }, strict: 'throw' },
);

export const Sessions = defineModel<SessionDoc>('Session', schema);

export async function openSession(
  ctx: HubContext,
  id: string,
  user: { _id: Types.ObjectId; orgId: Types.ObjectId },
  expiresAt: Date,
): Promise<void> {
  await Sessions(ctx.db.conn).updateOne(
    { _id: id },
    { $set: { expiresAt }, $setOnInsert: { userId: user._id, orgId: user.orgId, revokedAt: null } },
    { upsert: true },
  );
}

export async function sessionIsLive(ctx: HubContext, id: string): Promise<boolean> {
  const live = await Sessions(ctx.db.conn).exists({
    _id: id,
    revokedAt: null,
    expiresAt: { $gt: new Date() },
  });

  return live !== null;
}

export type SessionsOf = { userId?: string; orgId?: string; sessionId?: string };

/**
 * Ends every session of a user, of an organization or one session: its refresh tokens stop
 * working, its access tokens answer 401 on the next request, and its sockets are disconnected on
 * every hub node (the adapter carries the disconnect).
 */
export async function endSessions(ctx: HubContext, who: SessionsOf): Promise<void> {
  const filter: Record<string, unknown> = { revokedAt: null };
  if (who.userId) filter.userId = new Types.ObjectId(who.userId);
  if (who.orgId) filter.orgId = new Types.ObjectId(who.orgId);
  if (who.sessionId) filter._id = who.sessionId;
  if (!who.userId && !who.orgId && !who.sessionId) throw new Error('endSessions: whose sessions?');
  const sessions = Sessions(ctx.db.conn);
  const ids = (await sessions.find(filter, { _id: 1 }).lean()).map((s) => s._id);
  const now = new Date();
  if (ids.length > 0) {
    await sessions.updateMany({ _id: { $in: ids } }, { $set: { revokedAt: now } });
    await RefreshTokens(ctx.db.conn).updateMany(
      { family: { $in: ids }, revokedAt: null },
      { $set: { revokedAt: now } },
    );
  }
  const rooms = [
    ...(who.userId ? [userRoom(who.userId)] : []),
    ...(who.orgId ? [orgRoom(who.orgId)] : []),
    ...(who.sessionId ? [sessionRoom(who.sessionId)] : []),
  ];
  ctx.io?.in(rooms).disconnectSockets(true);
}

/** A bearer token that verifies and whose session is still live; null otherwise. */
export async function liveAccessToken(ctx: HubContext, token: string): Promise<AccessToken | null> {
  const t = await verifyAccessToken(ctx.secrets.jwt, token);

  return t && (await sessionIsLive(ctx, t.principal.sessionId)) ? t : null;
}

/**
 * An access token in a new session of `p`, without a password: for tools that make their own
 * users and must not measure logins (the bench, the load harness).
 */
export async function mintAccessToken(ctx: HubContext, p: Principal): Promise<string> {
  const sessionId = randomUUID();
  await openSession(
    ctx,
    sessionId,
    { _id: new Types.ObjectId(p.id), orgId: new Types.ObjectId(p.orgId) },
    new Date(Date.now() + REFRESH_TTL_S * 1000),
  );

  return issueAccessToken(ctx.secrets.jwt, { ...p, sessionId });
}
