import { Router } from 'express';
import {
  ZRevalidationCreate,
  ZRevalidationListQuery,
  ZRevalidationParams,
} from '../../contracts/revalidation.js';
import type { HubContext } from '../../context.js';
import { route } from '../../http/route.js';
import {
  getRevalidation,
  listRevalidations,
  resumeRevalidation,
  startRevalidation,
} from './revalidation.service.js';

/** The statistics' readers: auditors any organization, org admins their subtree, hub admins. */
const ROLES = ['auditor', 'org_admin', 'hub_admin'] as const;

/** /api/v1/revalidations: bulk re-validation jobs behind the still-valid figure. */
export function revalidationRoutes(ctx: HubContext): Router {
  const r = Router();
  r.post(
    '/',
    route({ roles: [...ROLES], body: ZRevalidationCreate }, async ({ principal, body, res }) => {
      const { job, created } = await startRevalidation(ctx, principal, body);
      // 202: accepted, runs in the background; 200: the job already running for these days
      res.status(created ? 202 : 200);

      return job;
    }),
  );
  r.get(
    '/',
    route({ roles: [...ROLES], query: ZRevalidationListQuery }, ({ principal, query }) =>
      listRevalidations(ctx, principal, query),
    ),
  );
  r.get(
    '/:id',
    route({ roles: [...ROLES], params: ZRevalidationParams }, ({ principal, params }) =>
      getRevalidation(ctx, principal, params.id),
    ),
  );
  r.post(
    '/:id/resume',
    route(
      { roles: [...ROLES], params: ZRevalidationParams },
      async ({ principal, params, res }) => {
        const job = await resumeRevalidation(ctx, principal, params.id);
        res.status(202);

        return job;
      },
    ),
  );

  return r;
}
