import { Router } from 'express';
import type { HubContext } from '../context.js';

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
  router.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  return router;
}
