import { randomUUID } from 'node:crypto';
import type { TTokens } from '../../contracts/auth.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { isActiveOrg } from '../orgs/index.js';
import { assertNotThrottled, clearFailedLogins, recordFailedLogin } from './login-throttle.js';
import { burnPasswordCheck, verifyPassword } from './passwords.js';
import { endSessions, openSession, sessionIsLive } from './sessions.js';
import type { Principal } from '../../http/principal.js';
import { RefreshTokens } from './token.model.js';
import {
  ACCESS_TTL_S,
  REFRESH_TTL_S,
  issueAccessToken,
  newOpaqueToken,
  sha256Hex,
} from './tokens.js';
import { Users, presentUser, type UserDoc } from './user.model.js';

export { LOCKOUT_MS, MAX_FAILED_LOGINS } from './login-throttle.js';

const BAD_CREDENTIALS = 'Tên đăng nhập hoặc mật khẩu không đúng.';

function principalOf(u: UserDoc, sessionId: string): Principal & { sessionId: string } {
  return {
    kind: 'user',
    id: String(u._id),
    orgId: String(u.orgId),
    roles: u.roles,
    name: u.fullName,
    sessionId,
  };
}

/** A refresh token of the session `family` (opened here on login) and an access token bound to it. */
async function tokensFor(ctx: HubContext, u: UserDoc, family: string): Promise<TTokens> {
  const refreshToken = newOpaqueToken('ltr');
  const expiresAt = new Date(Date.now() + REFRESH_TTL_S * 1000);
  await openSession(ctx, family, u, expiresAt);
  await RefreshTokens(ctx.db.conn).create({
    _id: sha256Hex(refreshToken),
    userId: u._id,
    family,
    expiresAt,
  });

  return {
    accessToken: await issueAccessToken(ctx.secrets.jwt, principalOf(u, family)),
    refreshToken,
    expiresIn: ACCESS_TTL_S,
    user: presentUser(u),
  };
}

/** A user may log in only while active and while its organization is. */
async function activeUser(ctx: HubContext, u: UserDoc | null): Promise<UserDoc | null> {
  if (!u?.active) return null;

  return (await isActiveOrg(ctx, u.orgId)) ? u : null;
}

export async function login(
  ctx: HubContext,
  username: string,
  password: string,
  address: string,
): Promise<TTokens> {
  const name = username.toLowerCase();
  await assertNotThrottled(ctx, address, name);
  const u = await activeUser(ctx, await Users(ctx.db.conn).findOne({ username: name }).lean());
  if (!u) await burnPasswordCheck(password);
  if (!u || !(await verifyPassword(u.passwordHash, password))) {
    await recordFailedLogin(ctx, address, name);
    throw new AppError('UNAUTHENTICATED', BAD_CREDENTIALS);
  }
  await clearFailedLogins(ctx, address, name);

  return tokensFor(ctx, u, randomUUID());
}

/**
 * Rotates a refresh token. A token used twice means it was stolen: the whole family (every
 * token descended from that login) is revoked, and both the thief and the user must log in again.
 */
export async function refresh(ctx: HubContext, refreshToken: string): Promise<TTokens> {
  const tokens = RefreshTokens(ctx.db.conn);
  const id = sha256Hex(refreshToken);
  const used = await tokens.findOneAndUpdate(
    { _id: id, usedAt: null, revokedAt: null, expiresAt: { $gt: new Date() } },
    { $set: { usedAt: new Date() } },
  );
  if (!used) {
    const known = await tokens.findById(id).lean();
    if (known) await endSessions(ctx, { sessionId: known.family });
    throw new AppError(
      'UNAUTHENTICATED',
      'Phiên làm việc đã hết hạn hoặc bị thu hồi; hãy đăng nhập lại.',
    );
  }
  const u = await activeUser(ctx, await Users(ctx.db.conn).findById(used.userId).lean());
  if (!u || !(await sessionIsLive(ctx, used.family)))
    throw new AppError('UNAUTHENTICATED', 'Tài khoản không còn hoạt động.');

  return tokensFor(ctx, u, used.family);
}

/** Ends the refresh token's session: its access tokens and sockets stop at once. */
export async function logout(ctx: HubContext, refreshToken: string): Promise<void> {
  const known = await RefreshTokens(ctx.db.conn).findById(sha256Hex(refreshToken)).lean();
  if (known) await endSessions(ctx, { sessionId: known.family });
}
