import type { HubModule } from '../module.js';
import { apiKeysRoutes, authRoutes, usersRoutes } from './auth.routes.js';
import { bootstrapHubAdmin } from './bootstrap.js';
import { ensureIndexes } from '../../db/indexes.js';
import { LoginFailures } from './login-throttle.js';
import { Sessions } from './sessions.js';
import { ApiKeys, RefreshTokens } from './token.model.js';
import { Users } from './user.model.js';

export const authModule: HubModule = {
  name: 'auth',
  init: async (ctx) => {
    await ensureIndexes(ctx.db.conn, [Users, RefreshTokens, ApiKeys, Sessions, LoginFailures]);
    await bootstrapHubAdmin(ctx);
  },
  mount: async (ctx) => [
    { path: '/api/v1/auth', router: authRoutes(ctx) },
    { path: '/api/v1/users', router: usersRoutes(ctx) },
    { path: '/api/v1/api-keys', router: apiKeysRoutes(ctx) },
  ],
};
