import { Router } from 'express';
import { eventsApi as api } from '../../contracts/events.js';
import type { HubContext } from '../../context.js';
import { serve } from '../../http/route.js';
import { eventsAfter, toEnvelope } from './publish.js';

/** For systems that poll instead of holding a socket: everything after the last seq they saw. */
export function eventsRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.after, async ({ principal, query }) => {
    const events = (await eventsAfter(ctx, principal.orgId, query.after, query.limit)).map(
      toEnvelope,
    );

    return { events, lastSeq: events.at(-1)?.seq ?? query.after };
  });

  return r;
}
