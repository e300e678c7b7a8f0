import { guardOrgs } from '../orgs/index.js';
import type { HubModule } from '../module.js';
import { apiKeysRoutes, authRoutes, usersRoutes } from './auth.routes.js';
import { bootstrapHubAdmin } from './bootstrap.js';
import { LoginFailures } from './login-throttle.js';
import { Sessions } from './sessions.js';
import { ApiKeys, RefreshTokens } from './token.model.js';
import { guardOrgChanges } from './org-guard.js';
import { Users } from './user.model.js';

export { authenticate } from './authenticate.js';
export { HUB_ORG_CODE } from './bootstrap.js';
export { confirmPassword } from './confirm-password.js';
export { hashPassword } from './passwords.js';
export { liveAccessToken } from './sessions.js';
// people are looked up by the modules that assign work to them (signers, assignees)
export { Users, type UserDoc } from './user.model.js';

/**
 * Users, argon2id passwords, JWT access + rotating refresh tokens, lockout, API keys, the first
 * hub admin; guards organizations' changes (policy, roles, sessions).
 */
export const authModule: HubModule = {
  name: 'auth',
  models: [Users, RefreshTokens, ApiKeys, Sessions, LoginFailures],
  init: async (ctx) => {
    await bootstrapHubAdmin(ctx);
    guardOrgs(ctx, guardOrgChanges(ctx));
  },
  mount: async (ctx) => [
    { path: '/api/v1/auth', router: authRoutes(ctx) },
    { path: '/api/v1/users', router: usersRoutes(ctx) },
    { path: '/api/v1/api-keys', router: apiKeysRoutes(ctx) },
  ],
};
