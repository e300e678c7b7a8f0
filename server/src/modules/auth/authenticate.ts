import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { HubContext } from '../../context.js';
import { AppError } from '../../errors/app-error.js';
import { isActiveOrg } from '../orgs/index.js';
import { ApiKeys } from './token.model.js';
import { liveAccessToken } from './sessions.js';
import { sha256Hex } from './tokens.js';
import type { Principal } from '../../http/principal.js';

const API_KEY = /^ltk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{20,})$/;

async function fromApiKey(ctx: HubContext, key: string): Promise<Principal | null> {
  const m = API_KEY.exec(key);
  if (!m) return null;
  const doc = await ApiKeys(ctx.db.conn).findOne({ prefix: m[1], revokedAt: null }).lean();
  if (!doc) return null;
  const given = Buffer.from(sha256Hex(m[2]!), 'hex');
  if (!timingSafeEqual(given, Buffer.from(doc.hash, 'hex'))) return null;
  // a deactivated organization's systems stop with it; reactivation brings its keys back
  if (!(await isActiveOrg(ctx, doc.orgId))) return null;

  return {
    kind: 'api-key',
    id: String(doc._id),
    orgId: String(doc.orgId),
    roles: doc.roles,
    name: doc.name,
  };
}

/**
 * Attaches `req.principal` from a Bearer access token or an `X-Api-Key`. A credential that is
 * present but invalid is a 401 at once: a forged or expired token never falls back to anonymous.
 */
export function authenticate(ctx: HubContext): RequestHandler {
  return async (req, _res, next) => {
    try {
      const auth = req.headers.authorization;
      const key = req.headers['x-api-key'];
      if (auth) {
        const token = /^Bearer (.+)$/i.exec(auth)?.[1];
        const t = token ? await liveAccessToken(ctx, token) : null;
        if (!t)
          throw new AppError('UNAUTHENTICATED', 'Phiên đăng nhập không hợp lệ hoặc đã hết hạn.');
        req.principal = t.principal;
      } else if (typeof key === 'string') {
        const p = await fromApiKey(ctx, key);
        if (!p) throw new AppError('UNAUTHENTICATED', 'Khóa API không hợp lệ hoặc đã bị thu hồi.');
        req.principal = p;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
