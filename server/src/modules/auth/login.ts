import { randomUUID } from 'node:crypto';
import type { TTokens } from '../../contracts/auth.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { burnPasswordCheck, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import { RefreshTokens } from './token.model.js';
import {
  ACCESS_TTL_S,
  REFRESH_TTL_S,
  issueAccessToken,
  newOpaqueToken,
  sha256Hex,
} from './tokens.js';
import { Users, presentUser, type UserDoc } from './user.model.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

const BAD_CREDENTIALS = 'Tên đăng nhập hoặc mật khẩu không đúng.';

function principalOf(u: UserDoc): Principal {
  return {
    kind: 'user',
    id: String(u._id),
    orgId: String(u.orgId),
    roles: u.roles,
    name: u.fullName,
  };
}

async function tokensFor(ctx: HubContext, u: UserDoc, family: string): Promise<TTokens> {
  const refreshToken = newOpaqueToken('ltr');
  await RefreshTokens(ctx.db.conn).create({
    _id: sha256Hex(refreshToken),
    userId: u._id,
    family,
    expiresAt: new Date(Date.now() + REFRESH_TTL_S * 1000),
  });

  return {
    accessToken: await issueAccessToken(ctx.secrets.jwt, principalOf(u)),
    refreshToken,
    expiresIn: ACCESS_TTL_S,
    user: presentUser(u),
  };
}

async function recordFailure(ctx: HubContext, u: UserDoc): Promise<void> {
  const failed = u.failedLogins + 1;
  const lockedUntil = failed >= MAX_FAILED_LOGINS ? new Date(Date.now() + LOCKOUT_MS) : null;
  await Users(ctx.db.conn).updateOne(
    { _id: u._id },
    { $set: { failedLogins: lockedUntil ? 0 : failed, lockedUntil } },
  );
}

export async function login(ctx: HubContext, username: string, password: string): Promise<TTokens> {
  const u = await Users(ctx.db.conn).findOne({ username: username.toLowerCase() }).lean();
  if (!u || !u.active) {
    await burnPasswordCheck(password);
    throw new AppError('UNAUTHENTICATED', BAD_CREDENTIALS);
  }
  if (u.lockedUntil && u.lockedUntil > new Date()) {
    throw new AppError(
      'RATE_LIMITED',
      'Tài khoản tạm khóa do đăng nhập sai nhiều lần; hãy thử lại sau 15 phút.',
      {
        retryAfter: Math.ceil((u.lockedUntil.getTime() - Date.now()) / 1000),
      },
    );
  }
  if (!(await verifyPassword(u.passwordHash, password))) {
    await recordFailure(ctx, u);
    throw new AppError('UNAUTHENTICATED', BAD_CREDENTIALS);
  }
  await Users(ctx.db.conn).updateOne(
    { _id: u._id },
    { $set: { failedLogins: 0, lockedUntil: null } },
  );

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
    if (known)
      await tokens.updateMany({ family: known.family }, { $set: { revokedAt: new Date() } });
    throw new AppError(
      'UNAUTHENTICATED',
      'Phiên làm việc đã hết hạn hoặc bị thu hồi; hãy đăng nhập lại.',
    );
  }
  const u = await Users(ctx.db.conn).findById(used.userId).lean();
  if (!u || !u.active) throw new AppError('UNAUTHENTICATED', 'Tài khoản không còn hoạt động.');

  return tokensFor(ctx, u, used.family);
}

export async function logout(ctx: HubContext, refreshToken: string): Promise<void> {
  const known = await RefreshTokens(ctx.db.conn).findById(sha256Hex(refreshToken)).lean();
  if (known)
    await RefreshTokens(ctx.db.conn).updateMany(
      { family: known.family },
      { $set: { revokedAt: new Date() } },
    );
}
