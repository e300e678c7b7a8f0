import { Schema } from 'mongoose';
import type { HubContext } from '../../context.js';
import { nullable, required } from '../../db/fields.js';
import { defineModel } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import { sha256Hex } from './tokens.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60 * 1000;

/**
 * Failed logins counted per (address, username), whether or not the account exists: a real and
 * an unknown account answer alike, and a guesser elsewhere cannot lock the leader out — only its
 * own address is held back.
 */
type FailureDoc = { _id: string; count: number; lockedUntil: Date | null; expiresAt: Date };

const schema = new Schema<FailureDoc>(
  {
    _id: String,
    count: { type: Number, default: 0 },
    lockedUntil: nullable(Date),
    expiresAt: required(Date, { expires: 0 }),
  },
  { strict: 'throw' },
);

export const LoginFailures = defineModel<FailureDoc>('LoginFailure', schema);

function keyOf(address: string, username: string): string {
  return sha256Hex(`${address}|${username}`);
}

export async function assertNotThrottled(
  ctx: HubContext,
  address: string,
  username: string,
): Promise<void> {
  const f = await LoginFailures(ctx.db.conn)
    .findOne({ _id: keyOf(address, username), lockedUntil: { $gt: new Date() } })
    .lean();
  if (!f?.lockedUntil) return;
  throw new AppError(
    'RATE_LIMITED',
    'Đăng nhập sai nhiều lần từ địa chỉ này; hãy thử lại sau 15 phút.',
    { retryAfter: Math.ceil((f.lockedUntil.getTime() - Date.now()) / 1000) },
  );
}

export async function recordFailedLogin(
  ctx: HubContext,
  address: string,
  username: string,
): Promise<void> {
  const failures = LoginFailures(ctx.db.conn);
  const _id = keyOf(address, username);
  const expiresAt = new Date(Date.now() + LOCKOUT_MS);
  const f = await failures.findOneAndUpdate(
    { _id },
    { $inc: { count: 1 }, $set: { expiresAt } },
    { upsert: true, new: true, lean: true },
  );
  if (f && f.count >= MAX_FAILED_LOGINS)
    await failures.updateOne({ _id }, { $set: { count: 0, lockedUntil: expiresAt } });
}

export async function clearFailedLogins(
  ctx: HubContext,
  address: string,
  username: string,
): Promise<void> {
  await LoginFailures(ctx.db.conn).deleteOne({ _id: keyOf(address, username) });
}
