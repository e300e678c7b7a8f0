import type { TRole } from '../../../server/src/contracts/common';
import type { MessageKey } from '../i18n/vi';
import { PATHS, type MenuRoute, type Route } from './router';

/**
 * Which roles may use each screen: the hub's own route roles (it checks again), so the menu and
 * the pages never offer what would end in a role error. A screen absent here is for everyone
 * signed in (the verify page even for visitors).
 */
export const SCREEN_ROLES: Partial<Record<Route['name'], readonly TRole[]>> = {
  inbox: ['clerk', 'org_admin', 'signer', 'enterprise_user', 'auditor'],
  outbox: ['clerk', 'org_admin', 'signer'],
  compose: ['clerk', 'org_admin', 'signer'],
  dashboard: ['auditor', 'org_admin', 'hub_admin'],
  orgs: ['hub_admin', 'org_admin'],
  users: ['hub_admin', 'org_admin'],
  apiKeys: ['org_admin'],
};

export function canUse(screen: Route['name'], roles: readonly TRole[] | undefined): boolean {
  const allowed = SCREEN_ROLES[screen];

  return !allowed || (roles ?? []).some((r) => allowed.includes(r));
}

/** Where a user lands after signing in: the first screen of these its roles can use. */
export function homePath(roles: readonly TRole[] | undefined): string {
  const first = (['inbox', 'dashboard', 'orgs'] as MenuRoute[]).find((s) => canUse(s, roles));

  return PATHS[first ?? 'verify'];
}

/** The browser tab's title of each screen: "Văn bản đến — LiênThông". */
export const SCREEN_TITLES: Partial<Record<Route['name'], MessageKey>> = {
  login: 'title.login',
  inbox: 'nav.inbox',
  outbox: 'nav.outbox',
  compose: 'nav.compose',
  document: 'title.document',
  verify: 'nav.verify',
  dashboard: 'nav.dashboard',
  certificates: 'nav.certificates',
  orgs: 'nav.orgs',
  users: 'nav.users',
  apiKeys: 'nav.apiKeys',
  notFound: 'title.notFound',
  drafts: 'nav.drafts',
  toSign: 'nav.toSign',
  toRelease: 'nav.toRelease',
};
