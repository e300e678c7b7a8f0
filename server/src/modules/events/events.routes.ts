import { Router } from 'express';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { route } from '../../http/route.js';
import { eventsAfter, toEnvelope } from './publish.js';

const ZQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

/** For systems that poll instead of holding a socket: everything after the last seq they saw. */
export function eventsRoutes(ctx: HubContext): Router {
  const r = Router();
  r.get(
    '/',
    route({ roles: [], query: ZQuery }, async ({ principal, query }) => {
      const events = (await eventsAfter(ctx, principal.orgId, query.after, query.limit)).map(
        toEnvelope,
      );

      return { events, lastSeq: events.at(-1)?.seq ?? query.after };
    }),
  );

  return r;
}
