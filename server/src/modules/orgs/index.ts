import type { HubContext } from '../../context.js';
import { hubModule } from '../module.js';
import type { OrgGuard } from './org-changes.js';
import { Orgs } from './org.model.js';
import { orgsRoutes } from './orgs.routes.js';

export type { OrgChange, OrgGuard } from './org-changes.js';
export { Orgs, presentOrg, type OrgDoc } from './org.model.js';
export {
  ancestryOf,
  rootAgency,
  assertNameFree,
  createOrg,
  findOrg,
  findOrgs,
  getOrg,
  isActiveOrg,
  listOrgs,
  subtreeIds,
} from './orgs.service.js';

declare module '../../context.js' {
  interface HubServices {
    orgs: { guard?: OrgGuard };
  }
}

/** Organizations (a tree by `ancestors`), search without diacritics. */
export const orgsModule = hubModule({
  name: 'orgs',
  models: [Orgs],
  init: async () => ({}),
  mount: async (ctx) => [{ path: '/api/v1/orgs', router: orgsRoutes(ctx) }],
});

/** The auth module guards organizations' changes (policy, roles, sessions): orgs does not know it. */
export function guardOrgs(ctx: HubContext, guard: OrgGuard): void {
  ctx.services.orgs.guard = guard;
}
