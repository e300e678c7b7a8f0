import { Router } from 'express';
import { z } from 'zod';
import { ZObjectId } from '../../contracts/common.js';
import { ZOrgCreate, ZOrgListQuery, ZOrgUpdate } from '../../contracts/orgs.js';
import type { HubContext } from '../../context.js';
import { foldVietnamese } from '../../db/model.js';
import { AppError } from '../../errors/app-error.js';
import { route } from '../../http/route.js';
import { hasRole } from '../auth/principal.js';
import { Orgs, presentOrg } from './org.model.js';
import { createOrg, getOrg, listOrgs, orgTree } from './orgs.service.js';

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
  r.post(
    '/',
    route({ roles: ['hub_admin'], body: ZOrgCreate }, async ({ body, res }) => {
      res.status(201);

      return createOrg(ctx, body);
    }),
  );
  r.patch(
    '/:id',
    route(
      { roles: ['hub_admin', 'org_admin'], params: ZId, body: ZOrgUpdate },
      async ({ params, body, principal }) => {
        const isHubAdmin = hasRole(principal, 'hub_admin');
        if (!isHubAdmin && principal.orgId !== params.id) {
          throw new AppError('FORBIDDEN', 'Chỉ được sửa thông tin cơ quan của mình.');
        }
        if (!isHubAdmin && (body.active !== undefined || body.level !== undefined)) {
          throw new AppError(
            'FORBIDDEN',
            'Chỉ quản trị trục được đổi cấp, cơ quan cha hoặc trạng thái.',
          );
        }
        await getOrg(ctx, params.id);
        const set: Record<string, unknown> = { ...body };
        if (body.name) set.nameFolded = foldVietnamese(body.name);
        const doc = await Orgs(ctx.db.conn)
          .findByIdAndUpdate(params.id, { $set: set }, { new: true })
          .lean();

        return presentOrg(doc!);
      },
    ),
  );

  return r;
}
