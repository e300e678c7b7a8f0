import { Router } from 'express';
import { revalidationApi as api } from '../../contracts/revalidation.js';
import type { HubContext } from '../../context.js';
import { serve } from '../../http/route.js';
import {
  getRevalidation,
  listRevalidations,
  resumeRevalidation,
  startRevalidation,
} from './revalidation.service.js';

/** /api/v1/revalidations: bulk re-validation jobs behind the still-valid figure. */
export function revalidationRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.start, async ({ principal, body, res }) => {
    const { job, created } = await startRevalidation(ctx, principal, body);
    // 202: accepted, runs in the background; 200: the job already running for these days
    res.status(created ? 202 : 200);

    return job;
  });
  serve(r, api.list, ({ principal, query }) => listRevalidations(ctx, principal, query));
  serve(r, api.get, ({ principal, params }) => getRevalidation(ctx, principal, params.id));
  serve(r, api.resume, async ({ principal, params, res }) => {
    const job = await resumeRevalidation(ctx, principal, params.id);
    res.status(202);

    return job;
  });

  return r;
}
