import { timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { HubContext } from '../context.js';
import { AppError } from '../errors/app-error.js';
import { authenticate } from '../modules/auth/authenticate.js';
import { hasRole } from '../modules/auth/principal.js';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);

  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * /metrics tells request rates per route, pool sizes and memory: for Prometheus with
 * `Authorization: Bearer <METRICS_TOKEN>` (when configured) or a hub_admin's token or API key.
 */
function metricsAccess(ctx: HubContext): RequestHandler {
  const auth = authenticate(ctx);

  return (req, res, next) => {
    const token = ctx.config.METRICS_TOKEN;
    const given = req.headers.authorization;
    if (token && given && sameSecret(given, `Bearer ${token}`)) return next();
    auth(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!req.principal) {
        return next(new AppError('UNAUTHENTICATED', 'Cần mã truy cập số liệu giám sát.'));
      }
      if (!hasRole(req.principal, 'hub_admin')) {
        return next(new AppError('FORBIDDEN', 'Chỉ quản trị hub được xem số liệu giám sát.'));
      }
      next();
    });
  };
}

export function healthRoutes(ctx: HubContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await ctx.db.conn.db!.admin().ping();
      res.json({
        status: 'ready',
        mongodb: { mode: ctx.db.mode, version: await ctx.db.version() },
      });
    } catch (err) {
      res.status(503).json({
        status: 'unavailable',
        mongodb: { mode: ctx.db.mode, error: (err as Error).message },
      });
    }
  });
  router.get('/metrics', metricsAccess(ctx), async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  return router;
}
