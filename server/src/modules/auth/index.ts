import type { HubModule } from '../module.js';
import { apiKeysRoutes, authRoutes, usersRoutes } from './auth.routes.js';
import { bootstrapHubAdmin } from './bootstrap.js';

export const authModule: HubModule = {
  name: 'auth',
  init: bootstrapHubAdmin,
  mount: async (ctx) => [
    { path: '/api/v1/auth', router: authRoutes(ctx) },
    { path: '/api/v1/users', router: usersRoutes(ctx) },
    { path: '/api/v1/api-keys', router: apiKeysRoutes(ctx) },
  ],
};
