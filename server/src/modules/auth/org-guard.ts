import { Types } from 'mongoose';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import type { Principal } from '../../http/principal.js';
import type { OrgChange, OrgGuard } from '../orgs/index.js';
import { enforce, rolesOfOrg, type Action, type OrgRef } from './policy.js';
import { endSessions } from './sessions.js';
import { ApiKeys } from './token.model.js';
import { Users } from './user.model.js';

/** Which policy action each field's change needs: only contact details are the org_admin's. */
const FIELD_ACTION: Record<OrgChange['fields'][number], Action> = {
  contact: 'update-org',
  name: 'rename-org',
  shortName: 'rename-org',
  kind: 'reclassify-org',
  level: 'reclassify-org',
  active: 'set-org-state',
};

async function mayChange(ctx: HubContext, p: Principal, org: OrgRef, change: OrgChange) {
  await enforce(ctx, p, 'update-org', { org });
  for (const action of new Set(change.fields.map((f) => FIELD_ACTION[f]))) {
    if (action === 'set-org-state') {
      await enforce(ctx, p, action, { org, active: change.active! });
    } else {
      await enforce(ctx, p, action as 'rename-org', { org });
    }
  }
}

/** A kind change must not leave anyone holding a role the new kind does not allow. */
async function kindFits(ctx: HubContext, org: OrgRef, kind: OrgRef['kind']): Promise<void> {
  const allowed = rolesOfOrg({ ...org, kind });
  const outside = { orgId: new Types.ObjectId(org.id), roles: { $elemMatch: { $nin: allowed } } };
  const held =
    (await Users(ctx.db.conn).exists(outside)) ??
    (await ApiKeys(ctx.db.conn).exists({ ...outside, revokedAt: null }));
  if (held) {
    throw new AppError(
      'INVALID_STATE',
      'Còn người dùng hoặc khóa API có vai trò không dùng được với loại tổ chức mới; hãy đổi vai trò trước.',
    );
  }
}

/**
 * Organizations' changes as the people and keys of auth see them: the policy (H3: a name only by
 * the hub admin), roles that a new kind must still allow, the sessions of a deactivated one.
 */
export function guardOrgChanges(ctx: HubContext): OrgGuard {
  ctx.bus.on('org.deactivated', (e) => endSessions(ctx, { orgId: e.orgId }));

  return {
    mayCreate: (p) => enforce(ctx, p, 'create-org', {}),
    mayChange: (p, org, change) => mayChange(ctx, p, org, change),
    kindFits: (org, kind) => kindFits(ctx, org, kind),
  };
}
