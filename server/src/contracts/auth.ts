import { z } from 'zod';
import { ZObjectId, ZRole, ZText, type TRole } from './common.js';
import { answer, routes, ZId } from './endpoint.js';

export const ZLogin = z
  .object({
    username: z.string().trim().min(1).max(100),
    password: z.string().min(1).max(200),
  })
  .strict();

export const ZRefresh = z.object({ refreshToken: z.string().min(10).max(500) }).strict();

export type TTokens = { accessToken: string; refreshToken: string; expiresIn: number; user: TUser };

export const ZPassword = z
  .string()
  .min(10, 'mật khẩu tối thiểu 10 ký tự')
  .max(200)
  .refine((p) => /[A-Za-zÀ-ỹ]/.test(p) && /\d/.test(p), 'mật khẩu phải có chữ và số');

export const ZUserCreate = z
  .object({
    username: z
      .string()
      .trim()
      .min(3)
      .max(64)
      .regex(/^[a-z0-9._-]+$/, 'chỉ gồm chữ thường không dấu, số, . _ -'),
    fullName: ZText(100),
    title: z.string().trim().max(100).optional(),
    email: z.string().email().max(200).optional(),
    roles: z.array(ZRole).min(1).max(6),
    password: ZPassword,
    orgId: ZObjectId.optional(),
  })
  .strict();
export type TUserCreate = z.infer<typeof ZUserCreate>;

/** What an administrator may change on a user; who may grant which role is the policy's call. */
export const ZUserUpdate = z
  .object({
    fullName: ZText(100),
    title: z.string().trim().max(100),
    email: z.union([z.string().email().max(200), z.literal('')]),
    roles: z.array(ZRole).min(1).max(6),
    active: z.boolean(),
  })
  .partial()
  .strict();
export type TUserUpdate = z.infer<typeof ZUserUpdate>;

export type TUser = {
  id: string;
  orgId: string;
  username: string;
  fullName: string;
  title?: string;
  email?: string;
  roles: TRole[];
  active: boolean;
};

export const ZApiKeyCreate = z
  .object({
    name: ZText(100),
    // every role is judged by the grant policy (a 403 that is audited), not refused here
    roles: z.array(ZRole).min(1).max(6),
  })
  .strict();

export type TApiKey = {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  roles: TRole[];
  createdAt: string;
  revokedAt: string | null;
};

/** `GET /auth/me`: the user, or the API key that calls. */
export type TMe =
  | TUser
  | {
      apiKey: {
        kind: 'user' | 'api-key';
        id: string;
        orgId: string;
        roles: TRole[];
        name: string;
      };
    };

export const authApi = routes('/auth', {
  login: { method: 'POST', path: '/login', body: ZLogin, returns: answer<TTokens>() },
  refresh: { method: 'POST', path: '/refresh', body: ZRefresh, returns: answer<TTokens>() },
  logout: { method: 'POST', path: '/logout', body: ZRefresh, returns: answer<void>() },
  me: { method: 'GET', path: '/me', roles: [], returns: answer<TMe>() },
});

export const usersApi = routes('/users', {
  list: {
    method: 'GET',
    path: '/',
    roles: ['hub_admin', 'org_admin'],
    query: z.object({ orgId: ZObjectId.optional() }).strict(),
    returns: answer<TUser[]>(),
  },
  // Any caller reaches the grant policy, so that a refused grant is a 403 it has audited.
  create: { method: 'POST', path: '/', roles: [], body: ZUserCreate, returns: answer<TUser>() },
  update: {
    method: 'PATCH',
    path: '/:id',
    roles: [],
    params: ZId,
    body: ZUserUpdate,
    returns: answer<TUser>(),
  },
});

export const apiKeysApi = routes('/api-keys', {
  list: { method: 'GET', path: '/', roles: ['org_admin'], returns: answer<TApiKey[]>() },
  create: {
    method: 'POST',
    path: '/',
    roles: [],
    body: ZApiKeyCreate,
    returns: answer<TApiKey & { key: string }>(),
  },
  revoke: {
    method: 'DELETE',
    path: '/:id',
    roles: ['org_admin'],
    params: ZId,
    returns: answer<TApiKey>(),
  },
});
