import { ensureIndexes } from '../../db/indexes.js';
import type { HubModule } from '../module.js';
import { Orgs } from './org.model.js';
import { orgsRoutes } from './orgs.routes.js';

export { findOrg, getOrg, isActiveOrg, ancestryOf, subtreeIds, createOrg } from './orgs.service.js';

export const orgsModule: HubModule = {
  name: 'orgs',
  init: (ctx) => ensureIndexes(ctx.db.conn, [Orgs]),
  mount: async (ctx) => [{ path: '/api/v1/orgs', router: orgsRoutes(ctx) }],
};
