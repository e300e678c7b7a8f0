import { Router } from 'express';
import { orgsApi as api } from '../../contracts/orgs.js';
import type { HubContext } from '../../context.js';
import { serve } from '../../http/route.js';
import { presentOrg } from './org.model.js';
import { createOrgAs, updateOrg } from './org-changes.js';
import { getOrg, listOrgs, orgTree } from './orgs.service.js';

export function orgsRoutes(ctx: HubContext): Router {
  const r = Router();
  serve(r, api.list, ({ query }) => listOrgs(ctx, query));
  serve(r, api.tree, () => orgTree(ctx));
  serve(r, api.get, async ({ params }) => presentOrg(await getOrg(ctx, params.id)));
  serve(r, api.create, async ({ body, res, principal }) => {
    res.status(201);

    return createOrgAs(ctx, principal, body);
  });
  serve(r, api.update, ({ params, body, principal }) => updateOrg(ctx, principal, params.id, body));

  return r;
}
