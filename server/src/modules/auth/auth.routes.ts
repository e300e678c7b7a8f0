import { Router } from 'express';
import { z } from 'zod';
import { ZApiKeyCreate, ZLogin, ZRefresh, ZUserCreate, ZUserUpdate } from '../../contracts/auth.js';
import { ZObjectId } from '../../contracts/common.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { route } from '../../http/route.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js';
import { login, logout, refresh } from './login.js';
import { Users, presentUser } from './user.model.js';
import { createUser, listUsers, updateUser } from './users.service.js';

export function authRoutes(ctx: HubContext): Router {
  const r = Router();
  r.post(
    '/login',
    route({ body: ZLogin }, ({ body, req }) =>
      login(ctx, body.username, body.password, req.ip ?? req.socket.remoteAddress ?? ''),
    ),
  );
  r.post(
    '/refresh',
    route({ body: ZRefresh }, ({ body }) => refresh(ctx, body.refreshToken)),
  );
  r.post(
    '/logout',
    route({ body: ZRefresh }, async ({ body, res }) => {
      await logout(ctx, body.refreshToken);
      res.status(204).end();
    }),
  );
  r.get(
    '/me',
    route({ roles: [] }, async ({ principal }) => {
      if (principal.kind !== 'user') return { apiKey: principal };
      const u = await Users(ctx.db.conn).findById(principal.id).lean();
      if (!u) throw new AppError('UNAUTHENTICATED', 'Tài khoản không còn tồn tại.');

      return presentUser(u);
    }),
  );

  return r;
}

export function usersRoutes(ctx: HubContext): Router {
  const r = Router();
  const ZQuery = z.object({ orgId: ZObjectId.optional() }).strict();
  r.get(
    '/',
    route({ roles: ['hub_admin', 'org_admin'], query: ZQuery }, ({ principal, query }) =>
      listUsers(ctx, principal, query.orgId),
    ),
  );
  // Any caller reaches the grant policy, so that a refused grant is a 403 it has audited.
  r.post(
    '/',
    route({ roles: [], body: ZUserCreate }, async ({ principal, body, res }) => {
      res.status(201);

      return createUser(ctx, principal, body);
    }),
  );
  r.patch(
    '/:id',
    route(
      { roles: [], params: z.object({ id: ZObjectId }).strict(), body: ZUserUpdate },
      ({ principal, params, body }) => updateUser(ctx, principal, params.id, body),
    ),
  );

  return r;
}

export function apiKeysRoutes(ctx: HubContext): Router {
  const r = Router();
  r.get(
    '/',
    route({ roles: ['org_admin'] }, ({ principal }) => listApiKeys(ctx, principal)),
  );
  r.post(
    '/',
    route({ roles: [], body: ZApiKeyCreate }, async ({ principal, body, res }) => {
      res.status(201);

      return createApiKey(ctx, principal, body);
    }),
  );
  r.delete(
    '/:id',
    route(
      { roles: ['org_admin'], params: z.object({ id: ZObjectId }).strict() },
      ({ principal, params }) => revokeApiKey(ctx, principal, params.id),
    ),
  );

  return r;
}
