import { Router } from 'express';
import { eventsApi as api, type TAnyEvent } from '../../contracts/events.js';
import type { HubContext } from '../../context.js';
import { serve } from '../../http/route.js';
import { eventsAfter, toEnvelope } from './publish.js';

/** For systems that poll instead of holding a socket: everything after the last seq they saw. */
export function eventsRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.after, async ({ principal, query }) => {
    // the log stores each payload as its type's publisher typed it
    const events = (await eventsAfter(ctx, principal.orgId, query.after, query.limit)).map(
      (e) => toEnvelope(e) as TAnyEvent,
    );

    return { events, lastSeq: events.at(-1)?.seq ?? query.after };
  });

  return r;
}
