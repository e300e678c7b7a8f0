import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { hasRole, type Principal } from '../../http/principal.js';
import { findOrg, subtreeIds } from '../orgs/index.js';

export type Scope = { orgId: string; orgName: string; orgIds: Types.ObjectId[] };

function notFound(): AppError {
  return new AppError('NOT_FOUND', 'Không tìm thấy cơ quan.');
}

/**
 * The organization and its whole subtree (one indexed query on `ancestors`). Auditors and hub
 * admins may look at any organization; an org admin only at its own subtree, and anything else
 * answers 404 so other subtrees are not revealed.
 */
export async function resolveScope(
  ctx: HubContext,
  p: Principal,
  orgId: string | undefined,
): Promise<Scope> {
  const id = orgId ?? p.orgId;
  if (!Types.ObjectId.isValid(id)) throw notFound();
  const org = await findOrg(ctx, { id });
  if (!org) throw notFound();
  const global = hasRole(p, 'auditor', 'hub_admin');
  const own = id === p.orgId || org.ancestors.some((a) => String(a) === p.orgId);
  if (!global && !own) throw notFound();

  return { orgId: id, orgName: org.name, orgIds: await subtreeIds(ctx, id) };
}
