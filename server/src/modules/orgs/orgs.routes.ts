import { Router } from 'express';
import { z } from 'zod';
import { ZObjectId } from '../../contracts/common.js';
import { ZOrgCreate, ZOrgListQuery, ZOrgUpdate } from '../../contracts/orgs.js';
import type { HubContext } from '../../context.js';
import { route } from '../../http/route.js';
import { presentOrg } from './org.model.js';
import { createOrgAs, updateOrg } from './org-changes.js';
import { getOrg, listOrgs, orgTree } from './orgs.service.js';

const ZId = z.object({ id: ZObjectId }).strict();

export function orgsRoutes(ctx: HubContext): Router {
  const r = Router();
  r.get(
    '/',
    route({ roles: [], query: ZOrgListQuery }, ({ query }) => listOrgs(ctx, query)),
  );
  r.get(
    '/tree',
    route({ roles: [] }, () => orgTree(ctx)),
  );
  r.get(
    '/:id',
    route({ roles: [], params: ZId }, async ({ params }) =>
      presentOrg(await getOrg(ctx, params.id)),
    ),
  );
  // Any caller reaches the policy, so that a refused change is a 403 it has audited.
  r.post(
    '/',
    route({ roles: [], body: ZOrgCreate }, async ({ body, res, principal }) => {
      res.status(201);

      return createOrgAs(ctx, principal, body);
    }),
  );
  r.patch(
    '/:id',
    route({ roles: [], params: ZId, body: ZOrgUpdate }, ({ params, body, principal }) =>
      updateOrg(ctx, principal, params.id, body),
    ),
  );

  return r;
}
