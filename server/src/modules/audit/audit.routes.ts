import { Router } from 'express';
import { z } from 'zod';
import type { HubContext } from '../../context.js';
import { route } from '../../http/route.js';
import { hasRole } from '../../http/principal.js';
import { AuditLog, type AuditDoc } from './audit.model.js';
import { GENESIS_HASH, checkChain } from './chain.js';

const ZQuery = z
  .object({
    before: z.coerce.number().int().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    action: z.string().max(100).optional(),
    targetId: z.string().max(100).optional(),
  })
  .strict();

function present(e: AuditDoc) {
  const { _id, ...rest } = e;
  void _id;

  return { ...rest, at: e.at.toISOString() };
}

/** Recomputes the whole chain in seq order, a batch at a time. */
async function verifyChain(ctx: HubContext) {
  let start = { seq: 0, hash: GENESIS_HASH };
  let total = 0;
  for (;;) {
    const batch = await AuditLog(ctx.db.conn)
      .find({ seq: { $gt: start.seq } })
      .sort({ seq: 1 })
      .limit(5000)
      .lean();
    const r = checkChain(batch, start);
    if (!r.ok) return { ok: false, count: total + r.count, brokenAt: r.brokenAt, reason: r.reason };
    total += r.count;
    if (batch.length < 5000) return { ok: true, count: total, lastHash: r.lastHash };
    start = { seq: batch.at(-1)!.seq, hash: r.lastHash };
  }
}

export function auditRoutes(ctx: HubContext): Router {
  const r = Router();
  r.get(
    '/',
    route(
      { roles: ['auditor', 'hub_admin', 'org_admin'], query: ZQuery },
      async ({ principal, query }) => {
        const filter: Record<string, unknown> = {};
        if (!hasRole(principal, 'auditor', 'hub_admin')) filter.orgIds = principal.orgId;
        if (query.before) filter.seq = { $lt: query.before };
        if (query.action) filter.action = query.action;
        if (query.targetId) filter['target.id'] = query.targetId;
        const items = await AuditLog(ctx.db.conn)
          .find(filter)
          .sort({ seq: -1 })
          .limit(query.limit)
          .lean();

        return {
          items: items.map(present),
          nextBefore: items.length === query.limit ? items.at(-1)!.seq : null,
        };
      },
    ),
  );
  r.get(
    '/verify',
    route({ roles: ['auditor', 'hub_admin'] }, () => verifyChain(ctx)),
  );

  return r;
}
