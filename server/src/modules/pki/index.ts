import type { HubModule } from '../module.js';
import { certificatesRoutes } from './certificates.routes.js';
import { initHierarchy } from './hub-hierarchy.js';
import { pkiPublicRoutes } from './pki.routes.js';

export const pkiModule: HubModule = {
  name: 'pki',
  init: async (ctx) => {
    await initHierarchy(ctx);
  },
  mount: async (ctx) => [
    { path: '/pki', router: pkiPublicRoutes(ctx) },
    { path: '/api/v1/certificates', router: certificatesRoutes(ctx) },
  ],
};
