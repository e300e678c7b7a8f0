import { Types } from 'mongoose';
import type { TUser, TUserCreate, TUserUpdate } from '../../contracts/auth.js';
import type { TRole } from '../../contracts/common.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { actorOf, appendAudit } from '../audit/index.js';
import { type OrgDoc, getOrg } from '../orgs/index.js';
import { hashPassword } from './passwords.js';
import { enforce, type OrgRef } from './policy.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { endSessions } from './sessions.js';
import { Users, presentUser, type UserDoc } from './user.model.js';

export function targetOrg(principal: Principal, requested: string | undefined): string {
  const orgId = requested ?? principal.orgId;
  if (orgId !== principal.orgId && !hasRole(principal, 'hub_admin')) {
    throw new AppError('FORBIDDEN', 'Chỉ được quản lý người dùng của cơ quan mình.');
  }

  return orgId;
}

export function orgRef(org: OrgDoc): OrgRef {
  return { id: String(org._id), kind: org.kind, code: org.code };
}

const unique = (roles: readonly TRole[]): TRole[] => [...new Set(roles)];

/** The organizations a user entry concerns: the user's and the actor's (each sees it). */
const orgIdsOf = (principal: Principal, orgId: string) => [...new Set([orgId, principal.orgId])];

export async function createUser(
  ctx: HubContext,
  principal: Principal,
  input: TUserCreate,
): Promise<TUser> {
  const org = await getOrg(ctx, input.orgId ?? principal.orgId);
  const roles = unique(input.roles);
  await enforce(ctx, principal, 'create-user', { org: orgRef(org), roles });
  if (await Users(ctx.db.conn).exists({ username: input.username })) {
    throw new AppError('CONFLICT', `Tên đăng nhập ${input.username} đã được dùng.`);
  }
  const { password, ...rest } = input;
  const doc = await Users(ctx.db.conn).create({
    ...rest,
    roles,
    orgId: org._id,
    passwordHash: await hashPassword(password),
  });
  const user = presentUser(doc.toObject());
  try {
    await appendAudit(ctx, {
      actor: actorOf(principal),
      action: 'user.created',
      orgIds: orgIdsOf(principal, user.orgId),
      target: { type: 'user', id: user.id },
      details: { username: user.username, roles },
    });
  } catch (err) {
    // a grant that is not in the audit log did not happen
    await Users(ctx.db.conn).deleteOne({ _id: doc._id });
    throw err;
  }

  return user;
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

type Changes = Record<string, { before: unknown; after: unknown }>;

/** Through JSON: an undefined member would be stored as null but hashed as absent. */
const plain = (v: object): Record<string, unknown> =>
  JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

/** The fields whose value really changes; an unchanged field asks nothing of the policy. */
function diffUser(u: UserDoc, input: TUserUpdate): Changes {
  const changes: Changes = {};
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? '') === JSON.stringify(b ?? '');
  for (const key of ['fullName', 'title', 'email', 'active'] as const) {
    if (input[key] !== undefined && !same(u[key], input[key])) {
      changes[key] = { before: u[key] ?? null, after: input[key] };
    }
  }
  if (input.roles) {
    const after = unique(input.roles);
    const before = [...u.roles];
    if (after.length !== before.length || after.some((r) => !before.includes(r))) {
      changes.roles = { before, after };
    }
  }

  return changes;
}

/**
 * Changes a user's details, roles or access. A role change or disabling ends the user's
 * sessions at once: their tokens carry the old roles until they expire otherwise.
 */
export async function updateUser(
  ctx: HubContext,
  principal: Principal,
  id: string,
  input: TUserUpdate,
): Promise<TUser> {
  const users = Users(ctx.db.conn);
  const user = await users.findById(id).lean();
  // another organization's user is "not found" to an org_admin, as everywhere else
  if (!user || (!hasRole(principal, 'hub_admin') && String(user.orgId) !== principal.orgId)) {
    throw new AppError('NOT_FOUND', 'Không tìm thấy người dùng.');
  }
  const org = await getOrg(ctx, String(user.orgId));
  const changes = diffUser(user, input);
  await enforce(ctx, principal, 'update-user', {
    org: orgRef(org),
    user: { id, roles: user.roles },
    ...(changes.roles ? { roles: changes.roles.after as TRole[] } : {}),
    ...(changes.active ? { active: input.active } : {}),
  });
  if (Object.keys(changes).length === 0) return presentUser(user);
  const updated = await applyChanges(ctx, principal, user, changes);
  if (changes.roles || input.active === false) await endSessions(ctx, { userId: id });

  return updated;
}

/** Writes the changes, then their audit entry; without the entry the change is undone. */
async function applyChanges(
  ctx: HubContext,
  principal: Principal,
  user: UserDoc,
  changes: Changes,
): Promise<TUser> {
  const users = Users(ctx.db.conn);
  const updated = await users.findByIdAndUpdate(user._id, toUpdate(changes), { new: true }).lean();
  try {
    await appendAudit(ctx, {
      actor: actorOf(principal),
      action: 'user.updated',
      orgIds: orgIdsOf(principal, String(user.orgId)),
      target: { type: 'user', id: String(user._id) },
      details: plain({ username: user.username, changes }),
    });
  } catch (err) {
    await users.updateOne({ _id: user._id }, restore(user, changes));
    throw err;
  }

  return presentUser(updated!);
}

/** An empty title or email removes the field. */
function toUpdate(changes: Changes) {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  for (const [key, c] of Object.entries(changes)) {
    if (c.after === '') $unset[key] = 1;
    else $set[key] = c.after;
  }

  return { $set, $unset };
}

/** The update that puts the changed fields back as they were. */
function restore(user: UserDoc, changes: Changes) {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, 1> = {};
  for (const k of Object.keys(changes)) {
    const before = user[k as keyof UserDoc];
    if (before === undefined) $unset[k] = 1;
    else $set[k] = before;
  }

  return { $set, $unset };
}
