import { Types } from 'mongoose';
import type { TUser, TUserCreate } from '../../contracts/auth.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { getOrg } from '../orgs/orgs.service.js';
import { hashPassword } from './passwords.js';
import { hasRole, type Principal } from './principal.js';
import { Users, presentUser } from './user.model.js';

/** Roles an enterprise's users may hold; agency roles make no sense there. */
const ENTERPRISE_ROLES = new Set(['org_admin', 'enterprise_user']);

export function targetOrg(principal: Principal, requested: string | undefined): string {
  const orgId = requested ?? principal.orgId;
  if (orgId !== principal.orgId && !hasRole(principal, 'hub_admin')) {
    throw new AppError('FORBIDDEN', 'Chỉ được quản lý người dùng của cơ quan mình.');
  }

  return orgId;
}

export async function createUser(
  ctx: HubContext,
  principal: Principal,
  input: TUserCreate,
): Promise<TUser> {
  const orgId = targetOrg(principal, input.orgId);
  const org = await getOrg(ctx, orgId);
  if (input.roles.includes('hub_admin') && !hasRole(principal, 'hub_admin')) {
    throw new AppError('FORBIDDEN', 'Chỉ quản trị trục được tạo quản trị trục.');
  }
  if (org.kind === 'enterprise' && input.roles.some((r) => !ENTERPRISE_ROLES.has(r))) {
    throw new AppError(
      'VALIDATION_FAILED',
      'Doanh nghiệp chỉ có vai trò org_admin hoặc enterprise_user.',
    );
  }
  if (await Users(ctx.db.conn).exists({ username: input.username })) {
    throw new AppError('CONFLICT', `Tên đăng nhập ${input.username} đã được dùng.`);
  }
  const { password, ...rest } = input;
  const doc = await Users(ctx.db.conn).create({
    ...rest,
    orgId: org._id,
    passwordHash: await hashPassword(password),
  });

  return presentUser(doc.toObject());
}

export async function listUsers(
  ctx: HubContext,
  principal: Principal,
  orgId?: string,
): Promise<TUser[]> {
  const id = targetOrg(principal, orgId);
  const docs = await Users(ctx.db.conn)
    .find({ orgId: new Types.ObjectId(id) })
    .sort({ username: 1 })
    .lean();

  return docs.map(presentUser);
}
