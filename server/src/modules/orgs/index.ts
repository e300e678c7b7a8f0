import type { HubModule } from '../module.js';
import { orgsRoutes } from './orgs.routes.js';

export const orgsModule: HubModule = {
  name: 'orgs',
  mount: async (ctx) => [{ path: '/api/v1/orgs', router: orgsRoutes(ctx) }],
};
