import type { TRole } from '../../contracts/common.js';
import {
  grantableRoles,
  isHubOrg,
  rolesOfOrg,
  type OrgKind,
  type OrgRef,
} from '../../contracts/grants.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { actorOf, appendAudit } from '../audit/index.js';
import type { Principal } from '../../http/principal.js';

/**
 * The hub's one authorization policy for grants and organization changes. Routes and services
 * ask `can(actor, action, resource)` (or `enforce`, which also audits a refusal) instead of each
 * keeping rules of its own: users and API keys are judged by the same table.
 */

export { rolesOfOrg };
export type { OrgRef };

const KIND_LABEL: Record<OrgKind, string> = {
  agency: 'cơ quan nhà nước',
  inspection: 'cơ quan thanh tra',
  enterprise: 'doanh nghiệp',
};

const holds = (actor: Principal, role: TRole) => actor.roles.includes(role);

/** hub_admin manages every organization, an org_admin (user or API key) only its own. */
function manages(actor: Principal, org: OrgRef): boolean {
  return holds(actor, 'hub_admin') || (holds(actor, 'org_admin') && actor.orgId === org.id);
}

type Resources = {
  /** Put these roles on a credential (user or API key) of this organization. */
  'grant-role': { org: OrgRef; roles: readonly TRole[] };
  'create-user': { org: OrgRef; roles: readonly TRole[] };
  /** Change a user; `roles` are the new roles if they change, `active` if access changes. */
  'update-user': {
    org: OrgRef;
    user: { id: string; roles: readonly TRole[] };
    roles?: readonly TRole[];
    active?: boolean;
  };
  /** API keys always belong to the caller's own organization. */
  'create-api-key': { org: OrgRef; roles: readonly TRole[] };
  'create-org': { org?: undefined };
  /** Contact details. */
  'update-org': { org: OrgRef };
  /** name, shortName: what the organization's seal and letters carry (H3). */
  'rename-org': { org: OrgRef };
  /** kind, level. */
  'reclassify-org': { org: OrgRef };
  'set-org-state': { org: OrgRef; active: boolean };
};
export type Action = keyof Resources;
export type Resource<A extends Action> = Resources[A];
export type Decision = { allowed: true } | { allowed: false; reason: string };

const OK: Decision = { allowed: true };
const no = (reason: string): Decision => ({ allowed: false, reason });

function grant(actor: Principal, r: { org: OrgRef; roles: readonly TRole[] }): Decision {
  if (!manages(actor, r.org)) {
    return no('Chỉ quản trị trục hoặc quản trị của chính cơ quan được cấp vai trò.');
  }
  const allowed = rolesOfOrg(r.org);
  const grantable = grantableRoles(actor, r.org);
  for (const role of r.roles) {
    if (!allowed.includes(role)) {
      return no(
        isHubOrg(r.org) || role !== 'hub_admin'
          ? `Vai trò ${role} không dùng được trong ${KIND_LABEL[r.org.kind]}.`
          : 'Vai trò hub_admin chỉ có trong tổ chức của trục.',
      );
    }
    if (!grantable.includes(role)) {
      return no(`Chỉ quản trị trục được cấp vai trò ${role}.`);
    }
  }

  return OK;
}

function hubAdminOnly(actor: Principal, what: string): Decision {
  return holds(actor, 'hub_admin') ? OK : no(`Chỉ quản trị trục được ${what}.`);
}

const RULES: { [A in Action]: (actor: Principal, r: Resources[A]) => Decision } = {
  'grant-role': grant,
  'create-user': grant,
  'update-user': (actor, r) => {
    if (!manages(actor, r.org)) return no('Chỉ được quản lý người dùng của cơ quan mình.');
    // managing someone who holds a role one could not grant would be granting by other means
    const grantable = grantableRoles(actor, r.org);
    const above = r.user.roles.find((role) => !grantable.includes(role));
    if (above) return no(`Tài khoản này có vai trò ${above}, chỉ quản trị trục được sửa.`);
    const changesAccess = r.roles !== undefined || r.active !== undefined;
    if (changesAccess && actor.kind === 'user' && actor.id === r.user.id) {
      return no('Không được tự đổi vai trò hoặc tự khóa tài khoản của mình.');
    }

    return r.roles ? grant(actor, { org: r.org, roles: r.roles }) : OK;
  },
  'create-api-key': (actor, r) => {
    if (!holds(actor, 'org_admin') || actor.orgId !== r.org.id) {
      return no('Chỉ quản trị của cơ quan được tạo khóa API cho cơ quan mình.');
    }

    return grant(actor, r);
  },
  'create-org': (actor) => hubAdminOnly(actor, 'thêm cơ quan, tổ chức'),
  'update-org': (actor, r) =>
    manages(actor, r.org) ? OK : no('Chỉ được sửa thông tin cơ quan của mình.'),
  'rename-org': (actor) => hubAdminOnly(actor, 'đổi tên cơ quan, tổ chức'),
  'reclassify-org': (actor) => hubAdminOnly(actor, 'đổi loại hoặc cấp của cơ quan, tổ chức'),
  'set-org-state': (actor, r) => {
    if (!r.active && isHubOrg(r.org)) {
      return no('Không được ngừng hoạt động tổ chức của trục.');
    }

    return hubAdminOnly(actor, 'đổi trạng thái hoạt động của cơ quan, tổ chức');
  },
};

/** The policy's answer; pure, so a route can also ask it to decide what to show. */
export function can<A extends Action>(
  actor: Principal,
  action: A,
  resource: Resources[A],
): Decision {
  return (RULES[action] as (a: Principal, r: Resources[A]) => Decision)(actor, resource);
}

const GRANT_ACTIONS: readonly Action[] = [
  'grant-role',
  'create-user',
  'update-user',
  'create-api-key',
];

/**
 * `can`, or a 403 — and the refused attempt is written to the audit log first, so an attempt to
 * mint a role (C1) is visible even though nothing was granted.
 */
export async function enforce<A extends Action>(
  ctx: HubContext,
  actor: Principal,
  action: A,
  resource: Resources[A],
): Promise<void> {
  const d = can(actor, action, resource);
  if (d.allowed) return;
  const r = resource as Partial<Resources['update-user']>;
  await appendAudit(ctx, {
    actor: actorOf(actor),
    action: GRANT_ACTIONS.includes(action) ? 'role.grant.refused' : 'org.change.refused',
    orgIds: [...new Set([actor.orgId, ...(r.org ? [r.org.id] : [])])],
    target: r.user
      ? { type: 'user', id: r.user.id }
      : { type: 'organization', id: r.org?.id ?? '' },
    details: { attempted: action, reason: d.reason, ...(r.roles ? { roles: [...r.roles] } : {}) },
  });
  throw new AppError('FORBIDDEN', d.reason);
}
