import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { LOCKOUT_MS, MAX_FAILED_LOGINS } from './login.js';
import { verifyPassword } from './passwords.js';
import { Users } from './user.model.js';
import type { Principal } from '../../http/principal.js';

/**
 * Fresh proof that the key owner is at the keyboard (issue 10): the caller types their password
 * again. Wrong answers count towards the same lockout as logins, so a stolen access token cannot
 * be used to guess the password here. 403, not 401: the session itself is still valid.
 */
export async function confirmPassword(
  ctx: HubContext,
  principal: Principal,
  password: string,
): Promise<void> {
  if (principal.kind !== 'user') {
    throw new AppError(
      'FORBIDDEN',
      'Ký số phải do người dùng đăng nhập thực hiện, không dùng khóa API.',
    );
  }
  const users = Users(ctx.db.conn);
  const user = await users.findById(principal.id).lean();
  if (!user || !user.active) throw new AppError('UNAUTHENTICATED', 'Tài khoản không còn hiệu lực.');
  if (user.lockedUntil && user.lockedUntil > new Date()) {
    throw new AppError(
      'RATE_LIMITED',
      'Tài khoản tạm khóa do nhập sai mật khẩu nhiều lần; hãy thử lại sau 15 phút.',
    );
  }
  if (await verifyPassword(user.passwordHash, password)) {
    if (user.failedLogins > 0)
      await users.updateOne({ _id: user._id }, { $set: { failedLogins: 0 } });

    return;
  }
  const failed = user.failedLogins + 1;
  const lockedUntil = failed >= MAX_FAILED_LOGINS ? new Date(Date.now() + LOCKOUT_MS) : null;
  await users.updateOne(
    { _id: user._id },
    { $set: { failedLogins: lockedUntil ? 0 : failed, lockedUntil } },
  );
  throw new AppError('FORBIDDEN', 'Mật khẩu xác nhận không đúng; văn bản chưa được ký.', {
    reason: 'CONFIRM_PASSWORD_WRONG',
  });
}
