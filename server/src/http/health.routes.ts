import { timingSafeEqual } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { HubContext } from '../context.js';
import { RETRY_AFTER_S } from '../db/availability.js';
import { AppError } from '../errors/app-error.js';
import { authenticate } from '../modules/auth/index.js';
import { hasRole } from './principal.js';
import { sendProblem } from './problem.js';

/** /readyz answers within this long whatever the database does (a load balancer's probe). */
const READY_PING_MS = 800;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

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
  let version: string | undefined;
  router.get('/readyz', async (req, res) => {
    const outage = ctx.db.availability.outage;
    let reason = outage?.reason;
    let detail = outage?.detail;
    if (!outage) {
      try {
        await within(ctx.db.conn.db!.admin().ping(), READY_PING_MS);
        version ??= await within(ctx.db.version(), READY_PING_MS);
        res.json({ status: 'ready', mongodb: { mode: ctx.db.mode, version } });

        return;
      } catch (err) {
        reason = 'unreachable';
        detail = `MongoDB không trả lời (${(err as Error).message})`;
      }
    }
    res.setHeader('retry-after', String(RETRY_AFTER_S));
    sendProblem(req, res, 'UNAVAILABLE', detail!, {
      reason,
      since: outage?.since.toISOString(),
      mongodb: { mode: ctx.db.mode },
    });
  });
  router.get('/metrics', metricsAccess(ctx), async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  return router;
}
