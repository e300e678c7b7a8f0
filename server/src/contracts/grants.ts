import { ROLES, type TRole } from './common.js';
import type { TOrg } from './orgs.js';

/**
 * The grant table, shared by the hub's policy (server/src/modules/auth/policy.ts), which enforces
 * it, and the web client, which offers only the roles a caller may grant.
 */

/** The hub's own organization: the only one whose users may be hub_admin. */
export const HUB_ORG_CODE = 'lienthong.hub';

export type OrgKind = TOrg['kind'];
export type OrgRef = Pick<TOrg, 'id' | 'kind' | 'code'>;
export type Granter = { orgId: string; roles: readonly TRole[] };

/** Roles each kind of organization may hold (hub_admin: only the hub's own organization). */
export const KIND_ROLES: Readonly<Record<OrgKind, readonly TRole[]>> = {
  agency: ['org_admin', 'clerk', 'signer'],
  // thanh tra: an agency whose staff includes the auditors who may read every organization
  inspection: ['org_admin', 'clerk', 'signer', 'auditor'],
  enterprise: ['org_admin', 'enterprise_user'],
};

/** What an org_admin may hand out inside its own organization: never auditor, never hub_admin. */
export const ORG_ADMIN_GRANTS: readonly TRole[] = [
  'org_admin',
  'clerk',
  'signer',
  'enterprise_user',
];

export function isHubOrg(org: Pick<OrgRef, 'code'>): boolean {
  return org.code === HUB_ORG_CODE;
}

/** Roles an organization of this kind (and code) may hold at all, whoever grants them. */
export function rolesOfOrg(org: OrgRef): TRole[] {
  const kind = KIND_ROLES[org.kind];

  return ROLES.filter((r) => kind.includes(r) || (r === 'hub_admin' && isHubOrg(org)));
}

/**
 * Roles this granter may put on a credential of this organization. Nobody grants beyond what it
 * holds: hub_admin grants what the organization's kind allows, an org_admin the org-level roles
 * of its own organization, anyone else nothing.
 */
export function grantableRoles(granter: Granter, org: OrgRef): TRole[] {
  const allowed = rolesOfOrg(org);
  if (granter.roles.includes('hub_admin')) return allowed;
  if (granter.roles.includes('org_admin') && granter.orgId === org.id) {
    return allowed.filter((r) => ORG_ADMIN_GRANTS.includes(r));
  }

  return [];
}
