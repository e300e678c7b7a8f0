import { Router } from 'express';
import { apiKeysApi, authApi, usersApi } from '../../contracts/auth.js';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { serve } from '../../http/route.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.service.js';
import { login, logout, refresh } from './login.js';
import { Users, presentUser } from './user.model.js';
import { createUser, listUsers, updateUser } from './users.service.js';

export function authRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, authApi.login, ({ body, req }) =>
    login(ctx, body.username, body.password, req.ip ?? req.socket.remoteAddress ?? ''),
  );
  serve(r, authApi.refresh, ({ body }) => refresh(ctx, body.refreshToken));
  serve(r, authApi.logout, async ({ body, res }) => {
    await logout(ctx, body.refreshToken);
    res.status(204).end();
  });
  serve(r, authApi.me, async ({ principal }) => {
    if (principal.kind !== 'user') return { apiKey: principal };
    const u = await Users(ctx.db.conn).findById(principal.id).lean();
    if (!u) throw new AppError('UNAUTHENTICATED', 'Tài khoản không còn tồn tại.');

    return presentUser(u);
  });

  return r;
}

export function usersRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, usersApi.list, ({ principal, query }) => listUsers(ctx, principal, query.orgId));
  serve(r, usersApi.create, async ({ principal, body, res }) => {
    res.status(201);

    return createUser(ctx, principal, body);
  });
  serve(r, usersApi.update, ({ principal, params, body }) =>
    updateUser(ctx, principal, params.id, body),
  );

  return r;
}

export function apiKeysRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, apiKeysApi.list, ({ principal }) => listApiKeys(ctx, principal));
  serve(r, apiKeysApi.create, async ({ principal, body, res }) => {
    res.status(201);

    return createApiKey(ctx, principal, body);
  });
  serve(r, apiKeysApi.revoke, ({ principal, params }) => revokeApiKey(ctx, principal, params.id));

  return r;
}
