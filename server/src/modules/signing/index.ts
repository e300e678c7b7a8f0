import type { HubModule } from '../module.js';
import { documentSigningRoutes } from './signing.routes.js';

export const signingModule: HubModule = {
  name: 'signing',
  mount: async (ctx) => [{ path: '/api/v1/documents', router: documentSigningRoutes(ctx) }],
};

export { signDocument } from './sign-document.js';
