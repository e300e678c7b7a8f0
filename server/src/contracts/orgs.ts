import { z } from 'zod';
import { ZObjectId, ZText } from './common.js';
import { answer, routes, ZId } from './endpoint.js';

/** `inspection` (thanh tra): an agency whose staff may include auditors. */
export const ORG_KINDS = ['agency', 'inspection', 'enterprise'] as const;
export const ORG_LEVELS = [
  'central',
  'province',
  'department',
  'district',
  'commune',
  'unit',
] as const;

export const ZOrgCreate = z
  .object({
    /** National identifier (mã định danh, e.g. 000.00.00.H56) or, for enterprises, the tax code. */
    code: z
      .string()
      .trim()
      .min(2)
      .max(35)
      .regex(/^[0-9A-Za-z.\-_]+$/, 'chỉ gồm chữ, số, dấu chấm, gạch ngang'),
    name: ZText(200),
    shortName: z.string().trim().max(30).optional(),
    kind: z.enum(ORG_KINDS),
    level: z.enum(ORG_LEVELS).default('unit'),
    parentId: ZObjectId.optional(),
    contact: z
      .object({
        email: z.string().email().max(200).optional(),
        phone: z.string().max(30).optional(),
        address: z.string().max(300).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();
export type TOrgCreate = z.infer<typeof ZOrgCreate>;

/** The code and the parent stay as created; who may change which field is the policy's call. */
export const ZOrgUpdate = ZOrgCreate.omit({ code: true, parentId: true })
  .partial()
  .extend({ active: z.boolean().optional() })
  .strict();

export type TOrg = {
  id: string;
  code: string;
  name: string;
  shortName?: string;
  kind: (typeof ORG_KINDS)[number];
  level: (typeof ORG_LEVELS)[number];
  parentId: string | null;
  ancestors: string[];
  contact: { email?: string; phone?: string; address?: string };
  active: boolean;
  external: boolean;
};

export const ZOrgListQuery = z
  .object({
    q: z.string().max(100).optional(),
    kind: z.enum(ORG_KINDS).optional(),
    parentId: ZObjectId.optional(),
  })
  .strict();

/** An organization in the tree of `GET /orgs/tree`, with its children. */
export type TOrgNode = TOrg & { children: TOrgNode[] };

export const orgsApi = routes('/orgs', {
  list: { method: 'GET', path: '/', roles: [], query: ZOrgListQuery, returns: answer<TOrg[]>() },
  tree: { method: 'GET', path: '/tree', roles: [], returns: answer<TOrgNode[]>() },
  get: { method: 'GET', path: '/:id', roles: [], params: ZId, returns: answer<TOrg>() },
  // Any caller reaches the policy, so that a refused change is a 403 it has audited.
  create: { method: 'POST', path: '/', roles: [], body: ZOrgCreate, returns: answer<TOrg>() },
  update: {
    method: 'PATCH',
    path: '/:id',
    roles: [],
    params: ZId,
    body: ZOrgUpdate,
    returns: answer<TOrg>(),
  },
});
